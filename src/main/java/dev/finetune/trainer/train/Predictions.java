package dev.finetune.trainer.train;

import java.util.List;
import java.util.Map;

/**
 * All rows of a prediction run, in data order, and the metrics (eval_loss, eval_accuracy, eval_f1, ...,
 * eval_runtime, eval_samples_per_second, eval_steps_per_second); without gold labels only the timings.
 */
public record Predictions(List<Prediction> rows, Map<String, Double> metrics) {}
