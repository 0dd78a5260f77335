package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.train.GradScaler;
import dev.finetune.trainer.train.StopRequest;
import dev.finetune.trainer.train.TaskObjective;
import dev.finetune.trainer.train.ToyData;
import dev.finetune.trainer.train.Trainer;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One training run of the tiny BERT on the toy task into an output folder, wired as the CLI does it: prepare the
 * folder (resume from the newest checkpoint), train with a {@link CheckpointWriter}, export final/. Used in-process
 * by the tests and in a child JVM by {@link ChildTrainer}.
 */
final class ToyRun {
    static final long SEED = 42;
    static final int ROWS = 40;
    static final int BATCH = 4;

    /** The weights and the trainer state at the end, and whether the run resumed. */
    record Result(Map<String, float[]> weights, TrainerState state, boolean resumed, boolean stoppedEarly,
            long optimizerSteps, double lossScale) {}

    private ToyRun() {}

    /** 12 steps over 10 batches per epoch: checkpoints every 6 (mid-epoch 0) and at 12 (in epoch 1); eval every 3. */
    static TrainingSpec spec() {
        TrainingSpec spec = new TrainingSpec();
        spec.maxSteps = 12;
        spec.perDeviceTrainBatchSize = BATCH;
        spec.perDeviceEvalBatchSize = 8;
        spec.learningRate = 2e-3;
        spec.weightDecay = 0.01;
        spec.warmupSteps = 2;
        spec.loggingSteps = 2;
        spec.evalStrategy = "steps";
        spec.evalSteps = 3;
        spec.saveStrategy = "steps";
        spec.saveSteps = 6;
        spec.saveTotalLimit = 2;
        spec.metricForBestModel = "loss";
        spec.seed = SEED;
        return spec;
    }

    static Result run(Path output, Path tokenizerDir, TrainingSpec spec, TrainerCallback extra) throws IOException {
        return run(output, tokenizerDir, spec, extra, new StopRequest());
    }

    /** @throws dev.finetune.trainer.train.TrainingStopped when {@code stop} is requested before the last step */
    static Result run(Path output, Path tokenizerDir, TrainingSpec spec, TrainerCallback extra, StopRequest stop)
            throws IOException {
        return run(output, tokenizerDir, spec, extra, stop, null);
    }

    /** With {@code scaler} as fp16's loss scaler (spec.fp16 must be set), or torch's defaults when null. */
    static Result run(Path output, Path tokenizerDir, TrainingSpec spec, TrainerCallback extra, StopRequest stop,
            GradScaler scaler) throws IOException {
        return run(output, tokenizerDir, spec, extra, stop, scaler, "bert");
    }

    /** The same run with a tiny model of {@code modelType}'s family ({@link TinyBert#model(NDManager, long, String)}). */
    static Result run(Path output, Path tokenizerDir, TrainingSpec spec, TrainerCallback extra, StopRequest stop,
            GradScaler scaler, String modelType) throws IOException {
        return run(output, tokenizerDir, spec, extra, stop, scaler, modelType, "single_label_classification");
    }

    /** The same run as {@code problemType} (single_label_classification, or regression on the toy rows' scores). */
    static Result run(Path output, Path tokenizerDir, TrainingSpec spec, TrainerCallback extra, StopRequest stop,
            GradScaler scaler, String modelType, String problemType) throws IOException {
        boolean regression = "regression".equals(problemType);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = "bert".equals(modelType) && !regression ? TinyBert.model(manager, spec.seed)
                        : TinyBert.model(manager, spec.seed, modelType, problemType);
                NDManager resumeManager = manager.newSubManager()) {
            CheckpointWriter writer = new CheckpointWriter(output, model, tokenizerDir, spec, null);
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            ToyData train = ToyData.train(ROWS, BATCH, spec.seed);
            ToyData eval = ToyData.eval(16, 8);
            try (Trainer trainer = new Trainer(TinyBert.classifier(model), spec, regression ? train.asRegression() : train,
                    regression ? eval.asRegression() : eval).withOutput(quiet).withProgressBar(false).withCheckpointSaver(writer)
                    .withStopRequest(stop).withObjective(TaskObjective.of(problemType, regression ? 1 : 2))) {
                if (extra != null) {
                    trainer.addCallback(extra);
                }
                if (scaler != null) {
                    trainer.withGradScaler(scaler);
                }
                Optional<TrainingSnapshot> resume = CheckpointResume.prepare(output, spec, model, trainer.steps(), resumeManager);
                boolean stopped = trainer.train(resume.orElse(null)).stoppedEarly();
                writer.saveFinal(trainer.state());
                Map<String, float[]> weights = new LinkedHashMap<>();
                model.namedParameters().forEach((name, array) -> weights.put(name, array.toFloatArray()));
                return new Result(weights, trainer.state(), resume.isPresent(), stopped, trainer.optimizer().stepCount(),
                        trainer.gradScaler() == null ? Double.NaN : trainer.gradScaler().scale());
            }
        }
    }
}
