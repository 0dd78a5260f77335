package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static TrainingSpec spec() {
        TrainingSpec spec = new TrainingSpec();
        spec.numTrainEpochs = 3.0;
        spec.perDeviceTrainBatchSize = 8;
        spec.learningRate = 0.2;
        spec.weightDecay = 0.01;
        spec.loggingSteps = 4;
        spec.evalStrategy = "epoch";
        spec.saveStrategy = "no";
        spec.metricForBestModel = "f1";
        return spec;
    }

    @Test
    void lossFallsOnALearnableProblemWithTheTrainersStepCount() {
        TrainingSpec spec = spec();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 16, 2, 0.1f, 42);
            int arraysBefore = manager.getManagedArrays().size();
            ToyData train = ToyData.train(124, 8, spec.seed); // 16 batches, the last of 4 rows
            try (Trainer trainer = new Trainer(model, spec, train, ToyData.eval(40, 8))
                    .withOutput(new PrintStream(captured, true, StandardCharsets.UTF_8))
                    .withProgressBar(false)) {
                assertEquals(48, trainer.steps().maxSteps()); // ceil(124 / 8) x 3
                TrainResult result = trainer.train(null);
                assertEquals(48, result.globalStep());
                TrainerState state = trainer.state();
                assertEquals(3.0, state.epoch, 1e-12);

                List<Double> losses = new ArrayList<>();
                List<Double> f1s = new ArrayList<>();
                for (Map<String, Object> entry : state.logHistory) {
                    if (entry.containsKey("loss")) {
                        losses.add((Double) entry.get("loss"));
                    }
                    if (entry.containsKey("eval_f1")) {
                        f1s.add((Double) entry.get("eval_f1"));
                    }
                }
                assertEquals(12, losses.size()); // every 4 of 48 steps
                assertEquals(3, f1s.size()); // each epoch
                assertTrue(losses.get(11) < losses.get(0) / 2, "loss should fall: " + losses);
                assertTrue(f1s.get(2) > 0.9, "eval_f1 " + f1s);
                assertTrue(state.bestMetric >= f1s.get(2) - 1e-12);
                assertEquals(state.logHistory.get(state.logHistory.size() - 1).get("train_loss"), result.trainingLoss());
            }
            // Nothing per step leaked into the model's manager (the optimiser's moments are closed with it).
            assertEquals(arraysBefore, manager.getManagedArrays().size());
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("***** Running training *****\n  Num examples = 124\n  Num Epochs = 3\n"
                + "  Instantaneous batch size per device = 8\n"), log);
        assertTrue(log.contains("  Gradient Accumulation steps = 1\n  Total optimization steps = 48\n"
                + "  Number of trainable parameters = 370\n"), log); // 20*16 + 16 + 2*16 + 2
        assertTrue(log.matches("(?s).*\\{'loss': [0-9.]+, 'grad_norm': [0-9.e-]+, 'learning_rate': [0-9.e-]+, 'epoch': 0\\.25\\}.*"), log);
        assertTrue(log.matches("(?s).*\\{'eval_loss': [0-9.]+, 'eval_accuracy': [0-9.]+, 'eval_f1': [0-9.]+, "
                + "'eval_matthews_correlation': [-0-9.]+, 'eval_runtime': [0-9.]+, 'eval_samples_per_second': [0-9.]+, "
                + "'eval_steps_per_second': [0-9.]+, 'epoch': 1\\.0\\}.*"), log);
        assertTrue(log.matches("(?s).*\\{'train_runtime': [0-9.]+, 'train_samples_per_second': [0-9.]+, "
                + "'train_steps_per_second': [0-9.]+, 'train_loss': [0-9.]+, 'epoch': 3\\.0\\}\n"), log);
    }

    @Test
    void accumulationGivesTheBigBatchUpdate() {
        // Batch 4 x 2 accumulated must equal batch 8 (same rows, same order; dropout off), also for the
        // uneven last window (60 rows: 4 rows in the last window either way).
        float[] big = trainedWeights(8, 1);
        float[] accumulated = trainedWeights(4, 2);
        for (int i = 0; i < big.length; i++) {
            assertEquals(big[i], accumulated[i], 2e-5, "weight " + i);
        }
    }

    private static float[] trainedWeights(int batch, int accumulation) {
        TrainingSpec spec = spec();
        spec.perDeviceTrainBatchSize = batch;
        spec.gradientAccumulationSteps = accumulation;
        spec.numTrainEpochs = 2.0;
        spec.evalStrategy = "no";
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 16, 2, 0f, 42);
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(60, batch, spec.seed), null)
                    .withOutput(QUIET).withProgressBar(false)) {
                assertEquals(16, trainer.steps().maxSteps());
                trainer.train(null);
            }
            return model.namedParameters().get("embeddings.word_embeddings.weight").toFloatArray();
        }
    }

    /** Captures snapshots the way the checkpoint package will: copies of weights and moments. */
    private static final class MemorySaver implements CheckpointSaver {
        final Map<Long, TrainingSnapshot> snapshots = new LinkedHashMap<>();
        final Map<Long, Map<String, float[]>> weights = new LinkedHashMap<>();
        final SequenceClassifier model;
        final NDManager manager;

        MemorySaver(SequenceClassifier model, NDManager manager) {
            this.model = model;
            this.manager = manager;
        }

        @Override
        public Path save(TrainingSnapshot snapshot) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            snapshot.optimizerState().forEach((k, v) -> moments.put(k, manager.create(v.toFloatArray(), v.getShape())));
            TrainerState stateCopy = new com.fasterxml.jackson.databind.ObjectMapper()
                    .convertValue(snapshot.state(), TrainerState.class);
            long step = snapshot.point().globalStep;
            snapshots.put(step, new TrainingSnapshot(stateCopy, snapshot.point(), moments));
            Map<String, float[]> w = new LinkedHashMap<>();
            model.namedParameters().forEach((k, v) -> w.put(k, v.toFloatArray()));
            weights.put(step, w);
            return Path.of("checkpoint-" + step);
        }
    }

    @Test
    void resumingFromASnapshotReproducesTheStraightRun() {
        TrainingSpec spec = spec();
        spec.gradientAccumulationSteps = 2; // windows and dropout seeds must line up across the resume
        spec.loggingSteps = 3;
        spec.saveStrategy = "steps";
        spec.saveSteps = 5;
        spec.evalStrategy = "steps";
        spec.evalSteps = 4;
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier straight = new TinyClassifier(manager, ToyData.VOCAB, 16, 2, 0.2f, 42);
            TinyClassifier start = straight.copy(manager);
            MemorySaver saver = new MemorySaver(straight, manager);
            TrainerState straightState;
            try (Trainer trainer = new Trainer(straight, spec, ToyData.train(60, 8, spec.seed), ToyData.eval(20, 8))
                    .withOutput(QUIET).withProgressBar(false).withCheckpointSaver(saver)) {
                assertEquals(12, trainer.steps().maxSteps()); // ceil(8 / 2) x 3
                trainer.train(null);
                straightState = trainer.state();
            }
            assertEquals(List.of(5L, 10L, 12L), new ArrayList<>(saver.snapshots.keySet())); // saveSteps and the end
            assertEquals(1, saver.snapshots.get(5L).point().epoch); // step 5 ends in the second epoch
            assertEquals(2, saver.snapshots.get(5L).point().batchInEpoch);

            // "Kill" after step 5: a new model holding the checkpoint's weights continues from the snapshot.
            TinyClassifier resumed = start.copy(manager);
            saver.weights.get(5L).forEach((k, w) -> resumed.namedParameters().get(k).set(w));
            TrainerState resumedState;
            try (Trainer trainer = new Trainer(resumed, spec, ToyData.train(60, 8, spec.seed), ToyData.eval(20, 8))
                    .withOutput(QUIET).withProgressBar(false)) {
                TrainResult result = trainer.train(saver.snapshots.get(5L));
                assertEquals(12, result.globalStep());
                resumedState = trainer.state();
            }
            for (String name : straight.namedParameters().keySet()) {
                float[] a = straight.namedParameters().get(name).toFloatArray();
                float[] b = resumed.namedParameters().get(name).toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-6, name + "[" + i + "]");
                }
            }
            assertEquals(losses(straightState), losses(resumedState));
            assertEquals(straightState.bestMetric, resumedState.bestMetric);
        }
    }

    private static List<Object> losses(TrainerState state) {
        List<Object> out = new ArrayList<>();
        for (Map<String, Object> e : state.logHistory) {
            for (String key : List.of("loss", "eval_loss", "train_loss")) {
                if (e.containsKey(key)) {
                    out.add(e.get("step") + ":" + key + "=" + e.get(key));
                }
            }
        }
        return out;
    }

    @Test
    void earlyStoppingAfterPatienceEvaluationsWithoutImprovement() {
        TrainingSpec spec = spec();
        spec.learningRate = 0.0; // nothing changes, so eval_loss never improves
        spec.evalStrategy = "steps";
        spec.evalSteps = 1;
        spec.metricForBestModel = "loss";
        spec.earlyStoppingPatience = 2;
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0f, 1);
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(60, 8, 1), ToyData.eval(16, 8))
                    .withOutput(QUIET).withProgressBar(false)) {
                TrainResult result = trainer.train(null);
                assertTrue(result.stoppedEarly());
                assertEquals(3, result.globalStep()); // best at 1, no improvement at 2 and 3
                assertEquals(1L, trainer.state().bestGlobalStep);
                assertEquals(2, trainer.state().earlyStoppingPatienceCounter);
            }
        }
    }

    @Test
    void maxStepsStopsMidEpochAndTheEndIsSavedAndEvaluated() {
        TrainingSpec spec = spec();
        spec.maxSteps = 10; // 8 updates per epoch: stops 2 steps into the second
        spec.saveStrategy = "epoch";
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0f, 1);
            MemorySaver saver = new MemorySaver(model, manager);
            List<Path> saved = new ArrayList<>();
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(60, 8, 1), ToyData.eval(16, 8))
                    .withOutput(QUIET).withProgressBar(false).withCheckpointSaver(saver)
                    .addCallback(new TrainerCallback() {
                        @Override
                        public void onSave(TrainerState state, Path checkpoint) {
                            saved.add(checkpoint);
                        }
                    })) {
                assertEquals(2, trainer.steps().numEpochs());
                TrainResult result = trainer.train(null);
                assertEquals(10, result.globalStep());
                assertEquals(1.25, trainer.state().epoch, 1e-12);
                long evals = trainer.state().logHistory.stream().filter(e -> e.containsKey("eval_loss")).count();
                assertEquals(2, evals);
            }
            assertEquals(List.of(Path.of("checkpoint-8"), Path.of("checkpoint-10")), saved);
        }
    }

    @Test
    void badArgumentsNameTheField() {
        TrainingSpec spec = spec();
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier(manager, ToyData.VOCAB, 8, 2, 0f, 1);
            IllegalArgumentException noEval = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, spec, ToyData.train(60, 8, 1), null));
            assertTrue(noEval.getMessage().contains("spec.training.evalStrategy"), noEval.getMessage());
            spec.evalStrategy = "sometimes";
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, spec, ToyData.train(60, 8, 1), ToyData.eval(8, 8)));
            assertTrue(bad.getMessage().contains("spec.training.evalStrategy"), bad.getMessage());
            spec.evalStrategy = "epoch";
            spec.metricForBestModel = "bleu";
            try (Trainer trainer = new Trainer(model, spec, ToyData.train(60, 8, 1), ToyData.eval(8, 8))
                    .withOutput(QUIET).withProgressBar(false)) {
                IllegalArgumentException metric = assertThrows(IllegalArgumentException.class, () -> trainer.train(null));
                assertTrue(metric.getMessage().contains("eval_bleu"), metric.getMessage());
            }
        }
    }

    @Test
    void dropoutSeedsDifferPerStepAndMicroBatch() {
        assertFalse(Trainer.dropoutSeed(42, 0, 0) == Trainer.dropoutSeed(42, 1, 0));
        assertFalse(Trainer.dropoutSeed(42, 0, 0) == Trainer.dropoutSeed(42, 0, 1));
        assertFalse(Trainer.dropoutSeed(42, 0, 0) == Trainer.dropoutSeed(43, 0, 0));
        assertEquals(Trainer.dropoutSeed(42, 7, 1), Trainer.dropoutSeed(42, 7, 1));
    }
}
