package dev.finetune.trainer.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/** One encoder family, as transformers' Auto classes map a {@code model_type} to its config and model classes. */
public interface ModelFamily {
    /** config.json's model_type for this family. */
    String modelType();

    /** The family's config from config.json's object; errors name {@code source} and the field. */
    EncoderConfig parseConfig(ObjectNode json, String source);

    /**
     * from_pretrained of {@code dir}'s model.safetensors (with or without the base-model prefix) into a model of
     * {@code config} (already carrying the head's labels): weights the file lacks are initialised from {@code seed}.
     */
    SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException;

    /** A randomly initialised model (the same seed gives the same weights). */
    SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed);

    /**
     * from_pretrained of {@code dir} as the family's ForTokenClassification (labels already in {@code config}): the
     * encoder's weights load with or without the base-model prefix; a checkpoint of another head (a sequence
     * classifier, a base model) has its head reported unused and the token classifier initialised from {@code seed}.
     */
    TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException;

    /** A randomly initialised token classifier (the same seed gives the same weights). */
    TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed);
}
