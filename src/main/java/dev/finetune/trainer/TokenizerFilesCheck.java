package dev.finetune.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.trainer.data.DataException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * The tokenizer files of a model folder parse as JSON (an error names the file, line and column, not just the parser's
 * words), and no token id is beyond the model's {@code vocab_size}: an id past the embedding table fails only inside
 * libtorch, in the first batch that holds it.
 */
final class TokenizerFilesCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFilesCheck() {}

    static void check(Path modelDir, int vocabSize) {
        JsonNode tokenizer = parse(modelDir.resolve("tokenizer.json"));
        parse(modelDir.resolve("tokenizer_config.json"));
        parse(modelDir.resolve("special_tokens_map.json"));
        if (tokenizer == null) {
            return; // the tokenizer's loader names the missing file
        }
        Path file = modelDir.resolve("tokenizer.json");
        if (!tokenizer.isObject() || !tokenizer.path("model").isObject()) {
            throw DataException.inFile(file, "not a Hugging Face tokenizer: it has no \"model\" section");
        }
        long ids = highestId(tokenizer) + 1;
        if (ids > vocabSize) {
            throw DataException.inFile(file, "the tokenizer has token ids up to " + (ids - 1) + " but the model's vocab_size is "
                    + vocabSize + " (" + modelDir.resolve("config.json") + "): the tokenizer does not belong to this model;"
                    + " use the model's own tokenizer, or set vocab_size to " + ids + " or more for a model initialised at random");
        }
    }

    /** The JSON object of {@code file}, or an error naming its line and column; null where it does not exist. */
    static JsonNode parse(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw DataException.inFile(file, "not UTF-8 text, so not valid JSON");
        } catch (IOException e) {
            throw DataException.inFile(file, "cannot read it: " + e.getMessage());
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw DataException.inFile(file, "not valid JSON: expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new DataException(file + where + ": not valid JSON" + column + ": " + e.getOriginalMessage());
        }
    }

    /** The largest id of the vocabulary (WordPiece/BPE/WordLevel maps, Unigram lists) and the added tokens. */
    private static long highestId(JsonNode tokenizer) {
        long highest = -1;
        JsonNode vocab = tokenizer.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                JsonNode id = it.next();
                if (id.canConvertToLong()) {
                    highest = Math.max(highest, id.asLong());
                }
            }
        } else if (vocab.isArray()) {
            highest = vocab.size() - 1L;
        }
        for (JsonNode added : tokenizer.path("added_tokens")) {
            if (added.path("id").canConvertToLong()) {
                highest = Math.max(highest, added.path("id").asLong());
            }
        }
        return highest;
    }
}
