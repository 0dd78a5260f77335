package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;

/** A loss that becomes NaN or infinite stops the run at that step with a message that says what to change. */
class DivergenceTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static TrainingSpec spec() {
        TrainingSpec spec = new TrainingSpec();
        spec.numTrainEpochs = 2.0;
        spec.perDeviceTrainBatchSize = 8;
        spec.learningRate = 0.1;
        spec.loggingSteps = 100;
        spec.evalStrategy = "no";
        spec.saveStrategy = "no";
        return spec;
    }

    /** Logits times +inf from a given update on: the loss of that update is NaN or infinite. */
    private static final class BlowsUpAt implements SequenceClassifier {
        private final TinyClassifier inner;
        private final int forwardPass;
        private int passes;

        BlowsUpAt(TinyClassifier inner, int forwardPass) {
            this.inner = inner;
            this.forwardPass = forwardPass;
        }

        @Override
        public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
            NDArray logits = inner.forward(inputIds, tokenTypeIds, attentionMask, training);
            return ++passes < forwardPass ? logits : logits.mul(logits.getManager().create(Float.POSITIVE_INFINITY));
        }

        @Override
        public LinkedHashMap<String, NDArray> namedParameters() {
            return inner.namedParameters();
        }
    }

    @Test
    void anInfiniteLossStopsAtItsStepNamingWhatToChange() {
        TrainingSpec spec = spec();
        spec.maxGradNorm = 0.0; // clipping off: the loss alone must catch it
        try (NDManager manager = NDManager.newBaseManager()) {
            SequenceClassifier model = new BlowsUpAt(new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0f, 1), 5);
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(64, 8, 42), null).withOutput(QUIET).withProgressBar(false)) {
                TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.train(null));
                assertTrue(e.getMessage().matches("loss became (NaN|\\+Infinity) at step 5; .*"), e.getMessage());
                assertTrue(e.getMessage().contains("lower spec.training.learningRate (now 0.1)"), e.getMessage());
                assertTrue(e.getMessage().contains("set spec.training.maxGradNorm"), e.getMessage());
                assertEquals(4, trainer.state().globalStep); // the NaN step was not applied
                assertTrue(e instanceof IllegalArgumentException); // exit code 2: not retried
            }
        }
    }

    @Test
    void aHugeLearningRateDivergesAndIsCaughtBeforeAnyNonFiniteValueIsLogged() {
        TrainingSpec spec = spec();
        spec.learningRate = 1e38;
        spec.weightDecay = 0.0;
        spec.maxGradNorm = 1.0;
        spec.loggingSteps = 1;
        java.util.List<java.util.Map<String, Double>> logged = new java.util.ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0f, 1);
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(64, 8, 42), null).withOutput(QUIET).withProgressBar(false)) {
                trainer.addCallback(new TrainerCallback() {
                    @Override
                    public void onLog(TrainerState state, java.util.Map<String, Double> logs) {
                        logged.add(logs);
                    }
                });
                TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.train(null));
                assertTrue(e.getMessage().matches("(loss|grad_norm) became (NaN|[+-]Infinity) at step \\d+; training diverged: .*"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("lower spec.training.maxGradNorm (now 1.0)"), e.getMessage());
            }
        }
        for (java.util.Map<String, Double> logs : logged) {
            logs.values().forEach(v -> assertTrue(Double.isFinite(v), "logged " + logs));
        }
    }
}
