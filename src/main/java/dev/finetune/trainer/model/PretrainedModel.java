package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * What every head shares, as transformers' PreTrainedModel: its config, a forward pass to logits, its weights under
 * transformers' names and save_pretrained. The loop, checkpoints, resume and final/ need only this, whichever task
 * the model has a head for.
 */
public interface PretrainedModel extends AutoCloseable {
    EncoderConfig config();

    /** int64 (B, T) inputs; float32 logits of the head's shape ((B, numLabels) or (B, T, numLabels)). */
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
