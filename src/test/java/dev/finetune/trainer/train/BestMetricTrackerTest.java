package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BestMetricTrackerTest {
    @Test
    void directionDefaultsAsTransformers() {
        assertFalse(new BestMetricTracker("loss", null, null, 0).greaterIsBetter());
        assertFalse(new BestMetricTracker("eval_loss", null, null, 0).greaterIsBetter());
        assertTrue(new BestMetricTracker("f1", null, null, 0).greaterIsBetter());
        assertEquals("eval_f1", new BestMetricTracker("f1", null, null, 0).metricKey());
        assertFalse(new BestMetricTracker("accuracy", false, null, 0).greaterIsBetter());
    }

    @Test
    void patienceCountsEvaluationsThatDoNotBeatTheBestByTheThreshold() {
        BestMetricTracker tracker = new BestMetricTracker("f1", null, 2, 0.01);
        TrainerState state = new TrainerState();
        state.globalStep = 10;
        assertFalse(tracker.update(state, Map.of("eval_f1", 0.80)));
        assertEquals(0.80, state.bestMetric);
        assertEquals(10L, state.bestGlobalStep);
        state.globalStep = 20;
        assertFalse(tracker.update(state, Map.of("eval_f1", 0.805))); // better, but within the threshold
        assertEquals(1, state.earlyStoppingPatienceCounter);
        assertEquals(0.805, state.bestMetric); // best_metric still follows any improvement
        assertEquals(20L, state.bestGlobalStep);
        state.globalStep = 30;
        assertFalse(tracker.update(state, Map.of("eval_f1", 0.90))); // a real improvement resets
        assertEquals(0, state.earlyStoppingPatienceCounter);
        state.globalStep = 40;
        assertFalse(tracker.update(state, Map.of("eval_f1", 0.85)));
        state.globalStep = 50;
        assertTrue(tracker.update(state, Map.of("eval_f1", 0.89))); // second miss: stop
        assertEquals(0.90, state.bestMetric);
        assertEquals(30L, state.bestGlobalStep);
    }

    @Test
    void withoutPatienceItNeverStops() {
        BestMetricTracker tracker = new BestMetricTracker("loss", null, null, 0);
        TrainerState state = new TrainerState();
        for (int i = 0; i < 10; i++) {
            assertFalse(tracker.update(state, Map.of("eval_loss", 1.0 + i)));
        }
        assertEquals(1.0, state.bestMetric);
    }
}
