package dev.finetune.trainer.data;

import ai.djl.ndarray.NDArray;

/**
 * One padded batch; arrays live in the NDManager the caller passed and are closed with it.
 *
 * @param labels int64 (B) class ids, float32 (B, numLabels) targets, or int64 (B, T) token labels (TokenClassification,
 *     -100 where ignored)
 * @param labelledTokens TokenClassification: how many token labels are not -100 (counted on the host while collating,
 *     so the loop reads it without a device sync); 0 for other batches
 */
public record Batch(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, NDArray labels, long labelledTokens) {
    public Batch(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, NDArray labels) {
        this(inputIds, tokenTypeIds, attentionMask, labels, 0);
    }

    public int size() { return (int) inputIds.getShape().get(0); }
}
