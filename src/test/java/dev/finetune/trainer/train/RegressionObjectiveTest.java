package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** regression's loss and GLUE STS-B metrics against hand-computed values and scipy's (1.17: pearsonr, spearmanr). */
class RegressionObjectiveTest {
    private static List<Prediction> rows(double[] predicted, double[] gold) {
        List<Prediction> rows = new ArrayList<>();
        for (int i = 0; i < predicted.length; i++) {
            rows.add(new Prediction(new float[] {(float) predicted[i]}, 0, -1, new float[] {(float) gold[i]}));
        }
        return rows;
    }

    @Test
    void mseAndPearsonAndSpearmanWorkedOutByHand() {
        // Deviations from the mean 2.5: (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5): 4 / sqrt(5 * 5) = 0.8;
        // the values are their own ranks, so Spearman is 0.8 too; squared errors 0, 1, 1, 0.
        Map<String, Double> m = new RegressionObjective().metrics(rows(new double[] {1, 2, 3, 4}, new double[] {1, 3, 2, 4}));
        assertEquals(0.5, m.get("eval_mse"), 1e-12);
        assertEquals(0.5, m.get("eval_loss"), 1e-12);
        assertEquals(0.8, m.get("eval_pearson"), 1e-12);
        assertEquals(0.8, m.get("eval_spearmanr"), 1e-12);
    }

    @Test
    void spearmanGivesTiesTheirAverageRankAsScipy() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RegressionObjective.ranks(new double[] {1, 2, 2, 3}));
        assertArrayEquals(new double[] {3, 1.5, 1.5, 5, 4}, RegressionObjective.ranks(new double[] {0.7, 0.1, 0.1, 9, 2}));
        // spearmanr([1, 2, 2, 3], [1, 2, 3, 4]): 4.5 / sqrt(4.5 * 5)
        Map<String, Double> ties = new RegressionObjective().metrics(rows(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}));
        assertEquals(4.5 / Math.sqrt(22.5), ties.get("eval_spearmanr"), 1e-12);
        // Ties on both sides, values not their ranks: scipy.stats.pearsonr / spearmanr give these.
        Map<String, Double> m = new RegressionObjective().metrics(
                rows(new double[] {0.5, 2.0, 2.0, 3.5, 1.0, 4.25}, new double[] {1.0, 2.5, 1.5, 3.0, 1.0, 5.0}));
        assertEquals(0.9358890384776007, m.get("eval_pearson"), 1e-7);
        assertEquals(0.9705882352941178, m.get("eval_spearmanr"), 1e-7);
        assertEquals(0.2604166666666667, m.get("eval_mse"), 1e-7);
    }

    @Test
    void constantPredictionsHaveNoCorrelationAsScipy() {
        Map<String, Double> m = new RegressionObjective().metrics(rows(new double[] {2, 2, 2}, new double[] {1, 2, 3}));
        assertTrue(m.get("eval_pearson").isNaN());
        assertTrue(m.get("eval_spearmanr").isNaN());
        assertEquals(2.0 / 3, m.get("eval_mse"), 1e-12);
    }

    @Test
    void aNanCorrelationIsNeverTheBestMetricAndCountsAgainstPatience() {
        BestMetricTracker tracker = new BestMetricTracker("pearson", null, 2, 0.0);
        assertTrue(tracker.greaterIsBetter());
        TrainerState state = new TrainerState();
        state.globalStep = 10;
        assertFalse(tracker.update(state, Map.of("eval_pearson", Double.NaN)));
        assertNull(state.bestMetric, "a NaN is no best_metric");
        assertNull(state.bestGlobalStep);
        state.globalStep = 20;
        tracker.update(state, Map.of("eval_pearson", 0.25));
        assertEquals(0.25, state.bestMetric);
        assertEquals(20L, state.bestGlobalStep);
        state.globalStep = 30;
        assertFalse(tracker.update(state, Map.of("eval_pearson", Double.NaN)));
        assertEquals(0.25, state.bestMetric, "a later NaN does not replace it");
        assertEquals(20L, state.bestGlobalStep);
        state.globalStep = 40;
        assertTrue(tracker.update(state, Map.of("eval_pearson", Double.NaN)), "two evaluations without improvement: patience 2 ends it");
    }

    @Test
    void lossSumOverItemsIsMseOfTheSqueezedLogits() {
        RegressionObjective objective = new RegressionObjective();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray labels = manager.create(new float[] {1f, 3f, 2f, 4f}, new Shape(4, 1));
            Batch batch = new Batch(manager.zeros(new Shape(4, 5)), manager.zeros(new Shape(4, 5)), manager.ones(new Shape(4, 5)), labels);
            assertEquals(4, objective.items(batch));
            NDArray logits = manager.create(new float[] {1.5f, 2f, 3f, 4f}, new Shape(4, 1));
            // (0.25 + 1 + 1 + 0) / 4
            assertEquals(0.5625, objective.lossSum(logits, labels).getFloat() / objective.items(batch), 1e-7);
        }
    }
}
