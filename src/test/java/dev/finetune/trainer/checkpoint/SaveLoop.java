package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves checkpoints back to back with the real {@link CheckpointWriter}, each one's weights and moments all equal to
 * its step, so that a reader can tell a checkpoint whose files come from different saves, or are torn.
 */
final class SaveLoop {
    private SaveLoop() {}

    static TrainingSpec spec() {
        TrainingSpec spec = new TrainingSpec();
        spec.saveTotalLimit = 2;
        spec.maxSteps = 1_000_000;
        spec.seed = 7L;
        return spec;
    }

    /** Continues after the newest complete checkpoint of {@code output} and saves up to step {@code lastStep}. */
    static void run(Path output, long lastStep) throws IOException {
        run(output, lastStep, SaveInterruption.NONE);
    }

    static void run(Path output, long lastStep, SaveInterruption interruption) throws IOException {
        CheckpointReader.removeTemporaryFolders(output);
        long step = CheckpointReader.latest(output).map(p -> CheckpointLayout.stepOf(p).getAsLong()).orElse(0L);
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(
                        TinyBert.config(2, 64), manager, 1)) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            model.namedParameters().forEach((name, p) -> {
                moments.put(name + ".exp_avg", manager.zeros(p.getShape()));
                moments.put(name + ".exp_avg_sq", manager.zeros(p.getShape()));
            });
            CheckpointWriter writer = new CheckpointWriter(output, model, null, spec(), null, interruption);
            while (step < lastStep) {
                step++;
                fill(model.namedParameters(), step);
                fill(moments, step);
                TrainerState state = new TrainerState();
                state.globalStep = step;
                state.maxSteps = spec().maxSteps;
                ResumePoint point = new ResumePoint();
                point.globalStep = step;
                point.seed = 7;
                writer.save(new TrainingSnapshot(state, point, moments));
            }
        }
    }

    private static void fill(Map<String, NDArray> arrays, long value) {
        for (NDArray array : arrays.values()) {
            float[] values = new float[(int) array.size()];
            Arrays.fill(values, value);
            array.set(values);
        }
    }

    /** Asserts that every tensor and JSON file of {@code checkpoint} belongs to its step. */
    static void verify(Path checkpoint) throws IOException {
        long step = CheckpointLayout.stepOf(checkpoint).getAsLong();
        assertEquals(step, CheckpointReader.readTrainerState(checkpoint).globalStep);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String file : new String[] {CheckpointLayout.WEIGHTS, CheckpointLayout.OPTIMIZER}) {
                try (SafetensorsReader reader = SafetensorsReader.open(checkpoint.resolve(file))) {
                    for (String name : reader.names()) {
                        NDArray array = reader.read(name, manager);
                        assertEquals(step, array.min().getFloat(), 0, checkpoint + "/" + file + " " + name);
                        assertEquals(step, array.max().getFloat(), 0, checkpoint + "/" + file + " " + name);
                    }
                }
            }
            TrainingSnapshot snapshot = CheckpointReader.readSnapshot(checkpoint, manager);
            assertEquals(step, snapshot.point().globalStep);
        }
    }
}
