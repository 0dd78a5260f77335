package dev.finetune.trainer.train;

/** One row of a prediction: its logits, the arg-max label, and the gold label (-1 when the data has none). */
public record Prediction(float[] logits, int predicted, int gold) {}
