package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Progress;
import dev.finetune.api.TrainingMetrics;
import org.junit.jupiter.api.Test;

class FiniteNumbersTest {
    @Test
    void nanAndInfinityAreLeftOutAndFiniteNumbersKept() throws Exception {
        FineTuneJobStatus status = new FineTuneJobStatus();
        status.metrics = new TrainingMetrics();
        status.metrics.trainLoss = Double.NaN;
        status.metrics.evalLoss = Double.POSITIVE_INFINITY;
        status.metrics.evalAccuracy = 0.84;
        status.progress = new Progress();
        status.progress.step = 300L;
        status.progress.samplesPerSecond = Double.NEGATIVE_INFINITY;

        FineTuneJobStatus finite = FiniteNumbers.only(status);

        assertNull(finite.metrics.trainLoss);
        assertNull(finite.metrics.evalLoss);
        assertNull(finite.progress.samplesPerSecond);
        assertEquals(0.84, finite.metrics.evalAccuracy);
        assertEquals(300L, finite.progress.step);
        String json = TrainerProgressClient.JSON.writeValueAsString(finite);
        assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
    }
}
