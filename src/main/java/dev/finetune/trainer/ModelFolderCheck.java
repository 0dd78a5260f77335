package dev.finetune.trainer;

import dev.finetune.trainer.data.DataException;
import dev.finetune.trainer.data.ModelInputs;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamilies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model folder checked before any data is read or any weight is loaded: its config.json reads, the tokenizer
 * files parse and fit the embedding table ({@link TokenizerFilesCheck}), and the longest input fits the position
 * table. Each problem is a {@link DataException} (exit code 2) naming the file and the field, where libtorch would
 * otherwise fail mid-run with {@code index out of range in self}.
 */
public final class ModelFolderCheck {
    private ModelFolderCheck() {}

    /**
     * @param maxLength the longest tokenised input, or null for none
     * @param maxLengthField what sets it, for the message: {@code spec.task.maxLength} or {@code --max-length}
     * @return the folder's config
     */
    public static EncoderConfig check(Path modelDir, Integer maxLength, String maxLengthField) {
        EncoderConfig config = config(modelDir);
        check(modelDir, config, maxLength, maxLengthField);
        return config;
    }

    /** The same checks against a config already read from the folder by {@link #config}. */
    public static void check(Path modelDir, EncoderConfig config, Integer maxLength, String maxLengthField) {
        TokenizerFilesCheck.check(modelDir, config.vocabSize());
        if (maxLength != null && maxLength > config.maxInputLength()) {
            String limit = config.maxInputLength() == config.maxPositionEmbeddings() ? ""
                    : " (positions start after the padding index, so inputs fit " + config.maxInputLength() + " tokens)";
            throw new DataException(maxLengthField + " " + maxLength + " exceeds the model's max_position_embeddings "
                    + config.maxPositionEmbeddings() + limit + " (" + modelDir.resolve("config.json") + "): set it to "
                    + config.maxInputLength() + " or less");
        }
    }

    /** What the model takes as input, for checking pre-tokenised rows (which no tokenizer checks). */
    public static ModelInputs inputs(Path modelDir, EncoderConfig config) {
        return new ModelInputs(config.vocabSize(), config.typeVocabSize(), config.padTokenId(), config.maxInputLength(),
                modelDir.resolve("config.json"));
    }

    /** The folder's config.json, or an error that names it; parsed once, syntax errors as file:line. */
    public static EncoderConfig config(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (Files.isDirectory(file)) {
            throw DataException.inFile(file, "is a folder, expected the model's config file");
        }
        JsonNode json = TokenizerFilesCheck.parse(file); // null when absent; an object otherwise
        if (json == null) {
            throw DataException.inFile(file, "no such file (a Hugging Face model folder needs a config.json)");
        }
        try {
            return ModelFamilies.parseConfig((ObjectNode) json, file.toString());
        } catch (IllegalArgumentException e) {
            throw new DataException(e.getMessage(), e); // the configs' messages name the file and the field
        }
    }
}
