package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * A family's {@code <Family>ForSequenceClassification}: the encoder and its head, under transformers' parameter
 * names. The loop, the checkpoints and prediction use this type and never a family's class.
 */
public interface SequenceClassificationModel extends PretrainedModel {
    /** int64 (B, T) inputs (token types ignored by families without them); float32 logits (B, numLabels). */
    @Override
    NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training);
}
