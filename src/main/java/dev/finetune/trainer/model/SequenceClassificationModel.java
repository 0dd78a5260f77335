package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * A family's {@code <Family>ForSequenceClassification}: the encoder and its head, under transformers' parameter
 * names. The loop, the checkpoints and prediction use this type and never a family's class.
 */
public interface SequenceClassificationModel extends PretrainedModel {
    EncoderConfig config();

    /** int64 (B, T) inputs (token types ignored by families without them); float32 logits (B, numLabels). */
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
