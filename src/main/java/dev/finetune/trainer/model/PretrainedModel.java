package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * What every head shares, as transformers' PreTrainedModel: its config, its weights under transformers' names and
 * save_pretrained. Checkpoints, resume and final/ need only this, whichever task the model has a head for.
 */
public interface PretrainedModel extends AutoCloseable {
    EncoderConfig config();

    /** Hugging Face names in checkpoint order -> parameter arrays (gradient attached when training). */
    LinkedHashMap<String, NDArray> namedParameters();

    /** Which weights the checkpoint lacked or had in excess (empty lists for a randomly initialised model). */
    WeightLoadReport loadReport();

    /** Writes config.json and model.safetensors into {@code dir} (created if absent), as save_pretrained. */
    void savePretrained(Path dir) throws IOException;

    @Override
    void close();
}
