package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model over an evaluation split without dropout or gradients, as {@code Trainer.evaluate} and
 * {@code Trainer.predict}: per-row logits and labels, eval_loss as the mean over rows, and the
 * classification metrics of {@link ClassificationMetrics} with the eval_ prefix.
 */
public final class Evaluator {
    private final SequenceClassifier model;

    public Evaluator(SequenceClassifier model) {
        this.model = model;
    }

    /** Metrics only; throws when the data has no labels. */
    public Map<String, Double> evaluate(EvalBatchSource data) {
        Predictions predictions = predict(data);
        if (!predictions.metrics().containsKey("eval_loss")) {
            throw new IllegalArgumentException("the evaluation data has no labels, so it cannot be evaluated");
        }
        return predictions.metrics();
    }

    public Predictions predict(EvalBatchSource data) {
        long start = System.nanoTime();
        List<Prediction> rows = new ArrayList<>(data.rowCount());
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            for (int b = 0; b < data.batchCount(); b++) {
                // One sub-manager per batch: inputs, intermediates and logits are freed together.
                try (NDManager batchManager = manager.newSubManager()) {
                    Batch batch = data.batch(b, batchManager);
                    NDArray logits = model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false);
                    rows.addAll(toRows(logits, batch.labels()));
                }
            }
        }
        double runtime = (System.nanoTime() - start) / 1e9;
        Map<String, Double> metrics = new LinkedHashMap<>();
        boolean labelled = !rows.isEmpty() && rows.stream().allMatch(r -> r.gold() >= 0);
        if (labelled) {
            metrics.putAll(metrics(rows));
        }
        metrics.put("eval_runtime", TrainerLogFormat.round(runtime, 4));
        metrics.put("eval_samples_per_second", TrainerLogFormat.round(rows.size() / runtime, 3));
        metrics.put("eval_steps_per_second", TrainerLogFormat.round(data.batchCount() / runtime, 3));
        return new Predictions(rows, metrics);
    }

    private static List<Prediction> toRows(NDArray logits, NDArray labels) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 2) {
            throw new IllegalStateException("the model returned logits of shape " + logits.getShape() + ", expected (B, numLabels)");
        }
        int numLabels = (int) shape[1];
        float[] flat = logits.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        long[] gold = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        List<Prediction> rows = new ArrayList<>((int) shape[0]);
        for (int i = 0; i < shape[0]; i++) {
            float[] row = new float[numLabels];
            System.arraycopy(flat, i * numLabels, row, 0, numLabels);
            int best = 0;
            for (int k = 1; k < numLabels; k++) {
                if (row[k] > row[best]) {
                    best = k;
                }
            }
            rows.add(new Prediction(row, best, (int) gold[i]));
        }
        return rows;
    }

    /** eval_loss (mean cross-entropy over rows) and the classification metrics, eval_-prefixed. */
    static Map<String, Double> metrics(List<Prediction> rows) {
        int numLabels = rows.get(0).logits().length;
        int[] predicted = new int[rows.size()];
        int[] gold = new int[rows.size()];
        double lossSum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Prediction r = rows.get(i);
            if (r.gold() >= numLabels) {
                throw new IllegalArgumentException("row " + i + " has label " + r.gold() + " but the model has "
                        + numLabels + " labels");
            }
            predicted[i] = r.predicted();
            gold[i] = r.gold();
            lossSum += CrossEntropy.row(r.logits(), r.gold());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", lossSum / rows.size());
        new ClassificationMetrics(predicted, gold, numLabels).asMap().forEach((k, v) -> metrics.put("eval_" + k, v));
        return metrics;
    }
}
