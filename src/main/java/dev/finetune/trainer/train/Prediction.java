package dev.finetune.trainer.train;

/**
 * One row of a prediction: its logits, the arg-max label, the gold label (-1 when the data has none) and, for
 * multi-label and regression rows, the gold targets (null, or NaN when the data has none).
 */
public record Prediction(float[] logits, int predicted, int gold, float[] goldTargets) {
    public Prediction(float[] logits, int predicted, int gold) {
        this(logits, predicted, gold, null);
    }

    /** Whether the row came with a gold label (or targets) to score it against. */
    public boolean labelled() {
        return goldTargets != null ? goldTargets.length > 0 && !Float.isNaN(goldTargets[0]) : gold >= 0;
    }
}
