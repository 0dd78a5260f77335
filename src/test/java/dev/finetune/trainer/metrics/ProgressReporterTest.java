package dev.finetune.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.finetune.api.TrainerReport;
import dev.finetune.trainer.train.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report (GET /progress and the termination message) carries finite numbers or nothing. */
class ProgressReporterTest {
    @Test
    void nonFiniteFiguresAreLeftOutNotWrittenAsStrings(@TempDir Path dir) throws Exception {
        ProgressReporter progress = new ProgressReporter();
        TrainerState state = new TrainerState();
        state.maxSteps = 10;
        progress.onTrainBegin(state);
        progress.onLog(state, Map.of("loss", 0.5, "learning_rate", 1e-3, "grad_norm", 2.0));
        Map<String, Double> diverged = new HashMap<>();
        diverged.put("loss", Double.NaN);
        diverged.put("grad_norm", Double.POSITIVE_INFINITY);
        progress.onLog(state, diverged);
        progress.onEvaluate(state, Map.of("eval_loss", Double.NaN, "eval_accuracy", 0.75));
        state.trainSamplesPerSecond = Double.POSITIVE_INFINITY;
        progress.onStepEnd(state);

        TrainerReport report = progress.snapshot();
        assertNull(report.metrics.trainLoss); // not the stale 0.5 either
        assertNull(report.metrics.gradNorm);
        assertEquals(1e-3, report.metrics.learningRate); // not logged this time: the last value stays
        assertNull(report.metrics.evalLoss);
        assertEquals(0.75, report.metrics.evalAccuracy);
        assertNull(report.progress.samplesPerSecond);

        Path file = dir.resolve("termination-log");
        TerminationMessage.write(file, report);
        String json = Files.readString(file);
        assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
    }

    @Test
    void aRegressionsNanCorrelationLeavesItsStatusFieldEmpty(@TempDir Path dir) throws Exception {
        ProgressReporter progress = new ProgressReporter();
        TrainerState state = new TrainerState();
        state.maxSteps = 10;
        progress.onTrainBegin(state);
        progress.onEvaluate(state, Map.of("eval_loss", 0.4, "eval_mse", 0.4, "eval_pearson", 0.6, "eval_spearmanr", 0.5));
        // Constant predictions: scipy's NaN correlations; the API server refuses NaN in a number field.
        progress.onEvaluate(state, Map.of("eval_loss", 0.3, "eval_mse", 0.3, "eval_pearson", Double.NaN,
                "eval_spearmanr", Double.NaN));

        TrainerReport report = progress.snapshot();
        assertEquals(0.3, report.metrics.evalLoss);
        assertNull(report.metrics.evalPearson, "not the stale 0.6 either");
        assertNull(report.metrics.evalSpearmanr);
        Path file = dir.resolve("termination-log");
        TerminationMessage.write(file, report);
        String json = Files.readString(file);
        assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
    }
}
