package dev.finetune.trainer.metrics;

import java.util.Optional;
import java.time.Duration;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.CheckpointInfo;
import dev.finetune.api.Progress;
import dev.finetune.api.ResolvedSources;
import dev.finetune.api.TrainerReport;
import dev.finetune.api.TrainingMetrics;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Keeps the {@link TrainerReport} that GET /progress serves and that the termination message carries:
 * the operator mirrors it onto the FineTuneJob status.
 */
public final class ProgressReporter implements TrainerCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LongSupplier nanoClock;
    private TrainerReport report = new TrainerReport();
    private long startNanos = -1;
    private long startStep;
    /** When the trainer last showed it is alive: a stage change, a download's progress, a step, a log, an eval, a save. */
    private long lastActivityNanos;

    public ProgressReporter() {
        this(System::nanoTime);
    }

    ProgressReporter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        lastActivityNanos = nanoClock.getAsLong();
        report.stage = "Starting";
        report.metrics = new TrainingMetrics();
        report.checkpoints = new CheckpointInfo();
    }

    /** A stage outside the loop: Downloading, Tokenizing, Saving, Done, Failed, Stopped. */
    public synchronized void stage(String stage, String message) {
        lastActivityNanos = nanoClock.getAsLong();
        report.stage = stage;
        report.message = message;
    }

    @Override
    public synchronized void onTrainBegin(TrainerState state) {
        lastActivityNanos = nanoClock.getAsLong();
        startNanos = nanoClock.getAsLong();
        startStep = state.globalStep;
        report.stage = "Training";
        report.message = null;
        updateProgress(state);
    }

    @Override
    public synchronized void onStepEnd(TrainerState state) {
        lastActivityNanos = nanoClock.getAsLong();
        updateProgress(state);
    }

    @Override
    public synchronized void onLog(TrainerState state, Map<String, Double> logs) {
        lastActivityNanos = nanoClock.getAsLong();
        TrainingMetrics metrics = report.metrics;
        metrics.trainLoss = latest(logs, "loss", metrics.trainLoss);
        metrics.learningRate = latest(logs, "learning_rate", metrics.learningRate);
        metrics.gradNorm = latest(logs, "grad_norm", metrics.gradNorm);
    }

    @Override
    public synchronized void onEvaluate(TrainerState state, Map<String, Double> eval) {
        lastActivityNanos = nanoClock.getAsLong();
        TrainingMetrics metrics = report.metrics;
        metrics.evalLoss = latest(eval, "eval_loss", metrics.evalLoss);
        metrics.evalAccuracy = latest(eval, "eval_accuracy", metrics.evalAccuracy);
        metrics.evalF1 = latest(eval, "eval_f1", metrics.evalF1);
        metrics.evalMacroF1 = latest(eval, "eval_macro_f1", metrics.evalMacroF1);
        metrics.evalMatthewsCorrelation = latest(eval, "eval_matthews_correlation", metrics.evalMatthewsCorrelation);
        metrics.evalPearson = latest(eval, "eval_pearson", metrics.evalPearson);
        metrics.evalSpearmanr = latest(eval, "eval_spearmanr", metrics.evalSpearmanr);
        metrics.evalPrecision = latest(eval, "eval_precision", metrics.evalPrecision);
        metrics.evalRecall = latest(eval, "eval_recall", metrics.evalRecall);
    }

    @Override
    public synchronized void onSave(TrainerState state, Path checkpoint) {
        lastActivityNanos = nanoClock.getAsLong();
        CheckpointInfo info = report.checkpoints;
        info.latest = checkpoint.getFileName().toString();
        info.count = checkpointsIn(checkpoint.getParent());
        if (state.bestModelCheckpoint != null) {
            info.best = Path.of(state.bestModelCheckpoint).getFileName().toString();
            info.bestMetric = finite(state.bestMetric, null);
        }
    }

    /** The Hub commits the run's model and dataset are pinned to; none for sources off the Hub. */
    public synchronized void sources(ResolvedSources sources) {
        report.sources = sources.model == null && sources.dataset == null ? null : sources;
    }

    /** Checkpoints already on the volume when a resumed run starts. */
    public synchronized void existingCheckpoints(String latest, int count) {
        report.checkpoints.latest = latest;
        report.checkpoints.count = count;
    }

    /** Counted on disk, since saveTotalLimit removes old checkpoints after each save. */
    private static int checkpointsIn(Path output) {
        if (output == null) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(output)) {
            return (int) entries.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized void onTrainEnd(TrainerState state) {
        updateProgress(state);
    }

    /**
     * A deep copy, safe to serialise on another thread; made through JSON so that a field added to the
     * report can never be left out of the copy.
     */
    /**
     * Why the trainer counts as hung, or empty while it is alive: nothing happened for longer than deadline (no step,
     * no download progress, no stage change). A trainer that is ending (Done, Failed, Stopped) is not hung.
     */
    public synchronized Optional<String> stalled(Duration deadline) {
        long idle = nanoClock.getAsLong() - lastActivityNanos;
        boolean ending = "Done".equals(report.stage) || "Failed".equals(report.stage) || "Stopped".equals(report.stage);
        if (ending || idle <= deadline.toNanos()) {
            return Optional.empty();
        }
        return Optional.of("no progress for " + Duration.ofNanos(idle).toSeconds() + " s (stage " + report.stage
                + (report.progress == null || report.progress.step == null ? "" : ", step " + report.progress.step)
                + "), more than spec.progressDeadlineSeconds " + deadline.toSeconds());
    }

    public synchronized TrainerReport snapshot() {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(report), TrainerReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the progress report", e);
        }
    }

    /**
     * Only finite numbers reach the report: the CRD types these fields as numbers, and Jackson would write
     * NaN as the string "NaN", which the API server rejects (and every later status patch with it).
     */
    private static Double finite(Double value, Double otherwise) {
        return value != null && Double.isFinite(value) ? value : otherwise;
    }

    /** The finite value logged under {@code key}; the previous one when not logged; nothing when NaN or infinite. */
    private static Double latest(Map<String, Double> logs, String key, Double previous) {
        return logs.containsKey(key) ? finite(logs.get(key), null) : previous;
    }

    private void updateProgress(TrainerState state) {
        Progress progress = new Progress();
        progress.step = state.globalStep;
        progress.totalSteps = state.maxSteps;
        progress.epoch = Math.round(state.epoch * 100) / 100.0;
        progress.percent = state.maxSteps == 0 ? 0.0 : Math.round(1000.0 * state.globalStep / state.maxSteps) / 10.0;
        progress.samplesPerSecond = finite(state.trainSamplesPerSecond, null);
        long stepsDone = state.globalStep - startStep;
        if (startNanos >= 0 && stepsDone > 0) {
            double secondsPerStep = (nanoClock.getAsLong() - startNanos) / 1e9 / stepsDone;
            progress.etaSeconds = Math.round(secondsPerStep * (state.maxSteps - state.globalStep));
        }
        report.progress = progress;
    }
}
