package dev.finetune.trainer.train;

import dev.finetune.api.TrainingSpec;
import java.util.Map;

/**
 * Tracks best_metric on {@code metricForBestModel} and decides early stopping, as transformers'
 * {@code _determine_best_metric} and {@code EarlyStoppingCallback}: an evaluation resets the patience
 * counter only if it beats the previous best by more than the threshold; training stops once the counter
 * reaches the patience. The counter lives in {@link TrainerState}, so it survives a resume.
 */
public final class BestMetricTracker {
    private final String metricKey;
    private final boolean greaterIsBetter;
    private final Integer patience;
    private final double threshold;

    public BestMetricTracker(String metricForBestModel, Boolean greaterIsBetter, Integer patience, double threshold) {
        String name = metricForBestModel == null || metricForBestModel.isBlank() ? "loss" : metricForBestModel;
        this.metricKey = name.startsWith("eval_") ? name : "eval_" + name;
        // transformers: greater_is_better defaults to "the metric is not a loss".
        this.greaterIsBetter = greaterIsBetter != null ? greaterIsBetter : !metricKey.endsWith("loss");
        if (patience != null && patience < 1) {
            throw new IllegalArgumentException("spec.training.earlyStoppingPatience must be >= 1, got " + patience);
        }
        this.patience = patience;
        this.threshold = threshold;
    }

    public static BestMetricTracker of(TrainingSpec spec) {
        return new BestMetricTracker(spec.metricForBestModel, spec.greaterIsBetter, spec.earlyStoppingPatience,
                spec.earlyStoppingThreshold == null ? 0.0 : spec.earlyStoppingThreshold);
    }

    public String metricKey() {
        return metricKey;
    }

    public boolean greaterIsBetter() {
        return greaterIsBetter;
    }

    /**
     * Records an evaluation at {@code state.globalStep}; updates best_metric, best_global_step and the
     * patience counter. Returns true when early stopping says training should stop.
     */
    public boolean update(TrainerState state, Map<String, Double> metrics) {
        Double value = metrics.get(metricKey);
        if (value == null) {
            throw new IllegalArgumentException("spec.training.metricForBestModel: '" + metricKey
                    + "' is not among the evaluation metrics " + metrics.keySet());
        }
        // A NaN (Pearson of constant predictions, as scipy gives it) is no score: never the best, and no improvement.
        // transformers would keep a first NaN as best_metric for good, since nothing compares greater than NaN.
        boolean noBest = state.bestMetric == null || state.bestMetric.isNaN();
        if (value.isNaN()) {
            state.earlyStoppingPatienceCounter++;
            return patience != null && state.earlyStoppingPatienceCounter >= patience;
        }
        // Early stopping compares with the best before this evaluation, with the threshold.
        if (noBest || (better(value, state.bestMetric) && Math.abs(value - state.bestMetric) > threshold)) {
            state.earlyStoppingPatienceCounter = 0;
        } else {
            state.earlyStoppingPatienceCounter++;
        }
        if (noBest || better(value, state.bestMetric)) {
            state.bestMetric = value;
            state.bestGlobalStep = state.globalStep;
        }
        return patience != null && state.earlyStoppingPatienceCounter >= patience;
    }

    private boolean better(double value, double best) {
        return greaterIsBetter ? value > best : value < best;
    }
}
