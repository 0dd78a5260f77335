package dev.finetune.trainer.checkpoint;

import dev.finetune.trainer.TerminationHook;
import dev.finetune.trainer.train.StopRequest;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainingStopped;
import java.time.Duration;
import dev.finetune.trainer.train.TrainerState;
import java.nio.file.Path;

/**
 * The entry point of the child JVMs that the tests kill with SIGKILL. {@code train OUTPUT TOKENIZER_DIR SLOW_AFTER [MODEL_TYPE]}:
 * {@link ToyRun} with every step after SLOW_AFTER slowed to 200 ms, so that the parent has time to kill it between
 * two checkpoints. {@code train-until-sigterm OUTPUT TOKENIZER_DIR}: the same run, every step slowed to 300 ms, with
 * the trainer's {@link TerminationHook}, so that a SIGTERM makes it save and stop. {@code save-loop OUTPUT}: {@link SaveLoop} until killed.
 */
public final class ChildTrainer {
    private ChildTrainer() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "train": {
                long slowAfter = Long.parseLong(args[3]);
                String modelType = args.length > 4 ? args[4] : "bert";
                String problemType = args.length > 5 ? args[5] : "single_label_classification";
                ToyRun.run(Path.of(args[1]), Path.of(args[2]), ToyRun.spec(), new TrainerCallback() {
                    @Override
                    public void onStepEnd(TrainerState state) {
                        if (state.globalStep > slowAfter) {
                            sleep(200);
                        }
                    }
                }, new StopRequest(), null, modelType, problemType);
                break;
            }
            case "train-until-sigterm": {
                // As TrainingLauncher: the JVM's shutdown on SIGTERM asks the loop to stop, and waits for the save.
                // The hook is closed only after the report is printed, as TrainingLauncher closes it after writing
                // the termination message: closing it lets the JVM finish exiting.
                StopRequest stop = new StopRequest();
                TerminationHook hook = TerminationHook.install(stop, Duration.ofSeconds(60));
                try {
                    ToyRun.run(Path.of(args[1]), Path.of(args[2]), ToyRun.spec(), new TrainerCallback() {
                        @Override
                        public void onStepEnd(TrainerState state) {
                            System.out.println("STEP " + state.globalStep);
                            sleep(300);
                        }
                    }, stop);
                } catch (TrainingStopped e) {
                    System.out.println("STOPPED AT " + e.globalStep() + " " + e.checkpoint().getFileName());
                    System.out.flush();
                    hook.close();
                    return;
                }
                hook.close();
                break;
            }
            case "save-loop":
                SaveLoop.run(Path.of(args[1]), Long.MAX_VALUE);
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.println("CHILD DONE");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
