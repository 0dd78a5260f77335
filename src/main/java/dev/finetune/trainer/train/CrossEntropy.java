package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Classification loss as torch's cross_entropy: -log_softmax(logits)[label], here summed over the rows. */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Sum over the batch of the per-row loss (a scalar). The loop divides by the rows of the whole
     * accumulation window, so the update equals the big-batch mean.
     */
    public static NDArray sum(NDArray logits, NDArray labels) {
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray index = labels.toType(DataType.INT64, false).reshape(-1, 1);
        return logProbabilities.gather(index, 1).sum().neg();
    }

    /** The same loss for one row of logits, in double precision, for evaluation. */
    public static double row(float[] logits, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sumExp = 0;
        for (float l : logits) {
            sumExp += Math.exp(l - max);
        }
        return max + Math.log(sumExp) - logits[label];
    }
}
