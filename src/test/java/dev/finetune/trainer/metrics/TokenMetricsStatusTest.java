package dev.finetune.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainerReport;
import dev.finetune.trainer.train.TrainerState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A token-classification evaluation reaches the report (and so the CR status) under the camelCase names. */
class TokenMetricsStatusTest {
    @Test
    void entityPrecisionRecallF1AndAccuracyAreReported() throws Exception {
        ProgressReporter progress = new ProgressReporter();
        TrainerState state = new TrainerState();
        state.maxSteps = 4;
        progress.onTrainBegin(state);
        progress.onEvaluate(state, Map.of("eval_loss", 0.4, "eval_precision", 0.5, "eval_recall", 0.25, "eval_f1", 1.0 / 3,
                "eval_accuracy", 0.9));

        TrainerReport report = progress.snapshot();
        assertEquals(0.5, report.metrics.evalPrecision);
        assertEquals(0.25, report.metrics.evalRecall);
        assertEquals(1.0 / 3, report.metrics.evalF1);
        assertEquals(0.9, report.metrics.evalAccuracy);
        String json = new ObjectMapper().writeValueAsString(report.metrics);
        assertTrue(json.contains("\"evalPrecision\":0.5") && json.contains("\"evalRecall\":0.25"), json);
    }
}
