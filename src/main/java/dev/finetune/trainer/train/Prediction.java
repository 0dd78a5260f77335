package dev.finetune.trainer.train;

/**
 * One row of a prediction: its logits, the arg-max label, the gold label (-1 when the data has none) and, for
 * multi-label and regression rows, the gold targets (null, or NaN when the data has none). A TokenClassification row
 * has its per-token logits and labels instead (logits empty, predicted and gold -1).
 *
 * @param tokenLogits TokenClassification: (T, numLabels) logits of the row's tokens (padding left out); else null
 * @param tokenLabels TokenClassification: per token, the gold tag id on a word's first sub-token, -100 elsewhere, -1
 *     on a first sub-token when the data has no tags; else null
 */
public record Prediction(float[] logits, int predicted, int gold, float[] goldTargets, float[][] tokenLogits,
        int[] tokenLabels) {
    public Prediction(float[] logits, int predicted, int gold) {
        this(logits, predicted, gold, null);
    }

    public Prediction(float[] logits, int predicted, int gold, float[] goldTargets) {
        this(logits, predicted, gold, goldTargets, null, null);
    }

    /** A TokenClassification row. */
    public static Prediction ofTokens(float[][] tokenLogits, int[] tokenLabels) {
        return new Prediction(new float[0], -1, -1, null, tokenLogits, tokenLabels);
    }

    /** Whether the row came with a gold label (or targets, or tags) to score it against. */
    public boolean labelled() {
        if (tokenLabels != null) {
            for (int label : tokenLabels) {
                if (label == -1) {
                    return false;
                }
            }
            return true;
        }
        return goldTargets != null ? goldTargets.length > 0 && !Float.isNaN(goldTargets[0]) : gold >= 0;
    }
}
