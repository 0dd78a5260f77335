package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * A family's {@code <Family>ForTokenClassification}: the encoder (without a pooler) and a linear "classifier" on
 * every token, under transformers' parameter names. The token-classification task uses this type and never a
 * family's class.
 */
public interface TokenClassificationModel extends PretrainedModel {
    /** transformers' attribute name of the per-token head, the same in every family. */
    String CLASSIFIER_PREFIX = "classifier.";

    /** int64 (B, T) inputs (token types ignored by families without them); float32 logits (B, T, numLabels). */
    @Override
    NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training);
}
