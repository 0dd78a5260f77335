package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What transformers does to a byte-level BPE fast tokenizer built with add_prefix_space=True (required for
 * is_split_into_words=True): its ByteLevel pre-tokenizer (and the post-processor's offsets) add a space before
 * each word, so that a word is encoded as "Ġword", as in running text, and not as the start of a text.
 */
final class ByteLevelPrefixSpace {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteLevelPrefixSpace() {}

    /**
     * A temporary copy of {@code tokenizerJson} with add_prefix_space=true in its ByteLevel pre-tokenizers (and
     * post-processor), for DJL to load; null when it has none that lacks it (WordPiece, Unigram, or already set).
     */
    static Path withPrefixSpace(Path tokenizerJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            return null; // the tokenizers library reports what is wrong with the file
        }
        if (!(root instanceof ObjectNode object) || !(set(object.get("pre_tokenizer")) | set(object.get("post_processor")))) {
            return null;
        }
        Path folder = Files.createTempDirectory("finetune-tokenizer-");
        Path copy = folder.resolve("tokenizer.json");
        JSON.writeValue(copy.toFile(), root);
        return copy;
    }

    /** Sets add_prefix_space in every ByteLevel (or RobertaProcessing) part of {@code node}; whether it changed one. */
    private static boolean set(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            return false;
        }
        boolean changed = false;
        String type = object.path("type").asText();
        if (("ByteLevel".equals(type) || "RobertaProcessing".equals(type)) && !object.path("add_prefix_space").asBoolean(false)) {
            object.put("add_prefix_space", true);
            changed = true;
        }
        for (String parts : new String[] {"pretokenizers", "processors"}) { // Sequence
            for (JsonNode part : object.path(parts)) {
                changed |= set(part);
            }
        }
        return changed;
    }

    static void delete(Path copy) {
        try {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(copy.getParent());
        } catch (IOException e) {
            copy.toFile().deleteOnExit();
        }
    }
}
