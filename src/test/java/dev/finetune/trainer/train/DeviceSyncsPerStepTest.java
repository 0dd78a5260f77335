package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host waits on the device a handful of times per optimiser step, however many parameters and micro-batches. */
class DeviceSyncsPerStepTest {
    @Test
    void oneReadPerStepWithClippingAndAccumulation() {
        TrainingSpec spec = new TrainingSpec();
        spec.numTrainEpochs = 1.0;
        spec.perDeviceTrainBatchSize = 4;
        spec.gradientAccumulationSteps = 4;
        spec.learningRate = 0.1;
        spec.maxGradNorm = 1.0;
        spec.loggingSteps = 1000; // no logging step inside the run
        spec.evalStrategy = "no";
        spec.saveStrategy = "no";
        List<Long> syncsPerStep = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0.1f, 1);
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(64, 4, 42), null)
                    .withOutput(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .withProgressBar(false)) {
                long[] before = {DeviceSyncCounter.count()};
                trainer.addCallback(new TrainerCallback() {
                    @Override
                    public void onStepEnd(TrainerState state) {
                        long now = DeviceSyncCounter.count();
                        syncsPerStep.add(now - before[0]);
                        before[0] = now;
                    }
                });
                trainer.train(null);
            }
        }
        assertEquals(4, syncsPerStep.size()); // 16 micro-batches, 4 per update
        for (long syncs : syncsPerStep) {
            assertTrue(syncs >= 1 && syncs <= 3, "device-to-host reads per step: " + syncsPerStep);
        }
    }

    @Test
    void theGradientNormIsOneReadForAllTensors() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> gradients = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                gradients.add(manager.create(new float[] {3f, 4f}));
            }
            long before = DeviceSyncCounter.count();
            double norm = GradientClipper.globalNorm(gradients);
            assertEquals(1, DeviceSyncCounter.count() - before);
            assertEquals(5.0 * Math.sqrt(50), norm, 1e-4);
        }
    }
}
