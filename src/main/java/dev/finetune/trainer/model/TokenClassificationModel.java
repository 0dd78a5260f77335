package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * A family's {@code <Family>ForTokenClassification}: the encoder (without a pooler) and a linear "classifier" on
 * every token, under transformers' parameter names. The token-classification task uses this type and never a
 * family's class.
 */
public interface TokenClassificationModel extends PretrainedModel {
    /** transformers' attribute name of the per-token head, the same in every family. */
    String CLASSIFIER_PREFIX = "classifier.";

    EncoderConfig config();

    /** int64 (B, T) inputs (token types ignored by families without them); float32 logits (B, T, numLabels). */
    NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training);

    /** fp16: the forward pass in float16 on casts of the float32 masters ({@link MixedPrecision}); float32 logits. */
    NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training);

    /** Hugging Face names in checkpoint order -> parameter arrays (gradient attached when training). */
    LinkedHashMap<String, NDArray> namedParameters();

    /** Which weights the checkpoint lacked or had in excess (empty lists for a randomly initialised model). */
    WeightLoadReport loadReport();

    /** Writes config.json and model.safetensors into {@code dir} (created if absent), as save_pretrained. */
    void savePretrained(Path dir) throws IOException;

    @Override
    void close();
}
