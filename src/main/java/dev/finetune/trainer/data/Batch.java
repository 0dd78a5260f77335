package dev.finetune.trainer.data;

import ai.djl.ndarray.NDArray;

/** One padded batch; arrays live in the NDManager the caller passed and are closed with it. */
public record Batch(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, NDArray labels) {
    public int size() { return (int) inputIds.getShape().get(0); }
}
