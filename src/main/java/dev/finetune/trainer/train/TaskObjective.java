package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import dev.finetune.trainer.data.Batch;
import java.util.List;
import java.util.Map;

/**
 * The loss and the metrics of one problem type, as transformers' {@code *ForSequenceClassification} computes the loss
 * for its {@code problem_type}; the loop sees only this, never the task or the model family.
 */
public interface TaskObjective {
    /**
     * The loss of a batch, summed over its loss items (a scalar): the loop divides by the items of the whole
     * accumulation window ({@link #items}), so the update equals that of the big-batch mean.
     */
    NDArray lossSum(NDArray logits, NDArray labels);

    /** How many terms the mean loss of {@code batch} averages over: rows, or rows x labels for element-wise losses. */
    long items(Batch batch);

    /** eval_loss and the task's metrics, eval_-prefixed, over labelled rows. */
    Map<String, Double> metrics(List<Prediction> rows);

    /**
     * The same, knowing how many rows each evaluation batch had ({@code batchRows}, in order): the HF Trainer's
     * eval_loss is the mean of each batch's loss repeated once per row, which only differs from the mean over the
     * split's loss items when a batch's items are not proportional to its rows (token classification).
     */
    default Map<String, Double> metrics(List<Prediction> rows, List<Integer> batchRows) {
        return metrics(rows);
    }

    /** The objective of a problem_type (transformers' names) with {@code numLabels} outputs. */
    static TaskObjective of(String problemType, int numLabels) {
        if (problemType == null || "single_label_classification".equals(problemType)) {
            return new SingleLabelObjective();
        }
        return switch (problemType) {
            case "multi_label_classification" -> new MultiLabelObjective();
            case "regression" -> new RegressionObjective();
            default -> throw new IllegalArgumentException("spec.task.problemType: unknown problem type '" + problemType + "'");
        };
    }
}
