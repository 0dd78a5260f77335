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
 * {@code Trainer.predict}: per-row logits and labels, then eval_loss and the metrics of the task's
 * {@link TaskObjective} with the eval_ prefix.
 */
public final class Evaluator {
    private final SequenceClassifier model;
    private final TaskObjective objective;

    /** Single-label classification. */
    public Evaluator(SequenceClassifier model) {
        this(model, new SingleLabelObjective());
    }

    public Evaluator(SequenceClassifier model, TaskObjective objective) {
        this.model = model;
        this.objective = objective;
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
        List<Integer> batchRows = new ArrayList<>(data.batchCount());
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            for (int b = 0; b < data.batchCount(); b++) {
                // One sub-manager per batch: inputs, intermediates and logits are freed together.
                try (NDManager batchManager = manager.newSubManager()) {
                    Batch batch = data.batch(b, batchManager);
                    NDArray logits = model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false);
                    List<Prediction> batchPredictions = logits.getShape().dimension() == 3
                            ? toTokenRows(logits, batch.labels(), batch.attentionMask()) : toRows(logits, batch.labels());
                    rows.addAll(batchPredictions);
                    batchRows.add(batchPredictions.size());
                }
            }
        }
        double runtime = (System.nanoTime() - start) / 1e9;
        Map<String, Double> metrics = new LinkedHashMap<>();
        boolean labelled = !rows.isEmpty() && rows.stream().allMatch(Prediction::labelled);
        if (labelled) {
            metrics.putAll(objective.metrics(rows, batchRows));
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
        // Multi-label and regression batches carry float (B, numLabels) targets, single-label ones int64 (B) ids.
        boolean targets = labels.getShape().dimension() == 2;
        float[] goldTargets = targets ? labels.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray() : null;
        int width = targets ? (int) labels.getShape().get(1) : 0;
        long[] gold = targets ? null : labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
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
            if (targets) {
                float[] rowTargets = new float[width];
                System.arraycopy(goldTargets, i * width, rowTargets, 0, width);
                rows.add(new Prediction(row, best, -1, rowTargets));
            } else {
                rows.add(new Prediction(row, best, (int) gold[i]));
            }
        }
        return rows;
    }

    /**
     * TokenClassification: (B, T, numLabels) logits against (B, T) token labels; each row keeps its tokens up to its
     * last attended one (padding left out).
     */
    private static List<Prediction> toTokenRows(NDArray logits, NDArray labels, NDArray attentionMask) {
        long[] shape = logits.getShape().getShape();
        if (labels.getShape().dimension() != 2) {
            throw new IllegalStateException("token logits " + logits.getShape() + " but labels " + labels.getShape()
                    + ": a token-classification model needs (B, T) token labels");
        }
        int batch = (int) shape[0];
        int width = (int) shape[1];
        int numLabels = (int) shape[2];
        float[] flat = logits.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        long[] gold = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        long[] mask = attentionMask.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        List<Prediction> rows = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int length = 0;
            for (int t = 0; t < width; t++) {
                if (mask[i * width + t] != 0) {
                    length = t + 1;
                }
            }
            float[][] tokenLogits = new float[length][numLabels];
            int[] tokenLabels = new int[length];
            for (int t = 0; t < length; t++) {
                System.arraycopy(flat, (i * width + t) * numLabels, tokenLogits[t], 0, numLabels);
                tokenLabels[t] = (int) gold[i * width + t];
            }
            rows.add(Prediction.ofTokens(tokenLogits, tokenLabels));
        }
        return rows;
    }

    /** eval_loss (mean cross-entropy over rows) and the classification metrics, eval_-prefixed. */
    static Map<String, Double> metrics(List<Prediction> rows) {
        return new SingleLabelObjective().metrics(rows);
    }
}
