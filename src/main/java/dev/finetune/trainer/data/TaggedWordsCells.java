package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The words and tags cells of a TokenClassification row (conll2003's {@code tokens} and {@code ner_tags}): JSON lists,
 * as JSON lines and Parquet list columns give them (a CSV cell holds the list's JSON text). Tags are names of the tag
 * set or their ids; every problem names the file, line and column.
 */
final class TaggedWordsCells {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String wordsField;
    private final String tagsField;
    private final List<String> tagNames;

    TaggedWordsCells(String wordsField, String tagsField, List<String> tagNames) {
        this.wordsField = wordsField;
        this.tagsField = tagsField;
        this.tagNames = List.copyOf(tagNames);
    }

    /** The row's words: a non-empty list of non-empty strings. */
    List<String> words(Path file, long line, String cell) {
        JsonNode list = list(file, line, wordsField, cell, "words");
        if (list.isEmpty()) {
            throw DataException.atField(file, line, wordsField, "empty list of words");
        }
        List<String> words = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode word = list.get(i);
            if (word.isContainerNode() || word.isNull()) {
                throw DataException.atField(file, line, wordsField, "word " + i + " is " + (word.isNull() ? "null" : "not a string")
                        + ", expected a list of strings");
            }
            if (word.asText().isBlank()) {
                throw DataException.atField(file, line, wordsField, "word " + i + " is empty: it could carry no tag");
            }
            words.add(word.asText());
        }
        return words;
    }

    /** The tag id of each of {@code wordCount} words. */
    int[] tags(Path file, long line, String cell, int wordCount) {
        JsonNode list = list(file, line, tagsField, cell, "tags");
        if (list.size() != wordCount) {
            throw DataException.atField(file, line, tagsField, list.size() + " tags for " + wordCount
                    + " words: each word needs exactly one tag");
        }
        int[] tags = new int[wordCount];
        for (int i = 0; i < wordCount; i++) {
            tags[i] = tagId(file, line, i, list.get(i));
        }
        return tags;
    }

    /**
     * A pre-tokenised row's labels, one per token as run_ner.py's tokenize_and_align_labels leaves them: tag ids or
     * names, -100 on the tokens the loss skips; at least one token labelled.
     */
    int[] tokenLabels(Path file, long line, String cell, int tokenCount) {
        JsonNode list = list(file, line, tagsField, cell, "token labels");
        if (list.size() != tokenCount) {
            throw DataException.atField(file, line, tagsField, list.size() + " labels where input_ids has " + tokenCount
                    + " tokens: a pre-tokenised row has one label per token (-100 where none)");
        }
        int[] labels = new int[tokenCount];
        boolean any = false;
        for (int i = 0; i < tokenCount; i++) {
            JsonNode label = list.get(i);
            labels[i] = label.isIntegralNumber() && label.asInt() == EncodedExample.IGNORED ? EncodedExample.IGNORED
                    : tagId(file, line, i, label);
            any |= labels[i] != EncodedExample.IGNORED;
        }
        if (!any) {
            throw DataException.atField(file, line, tagsField, "every label is -100: the row has no token to learn from");
        }
        return labels;
    }

    private int tagId(Path file, long line, int word, JsonNode tag) {
        if (tag.isIntegralNumber() || (tag.isTextual() && tag.asText().matches("[+-]?\\d{1,9}"))) {
            int id = tag.isTextual() ? Integer.parseInt(tag.asText()) : tag.asInt();
            if (id < 0 || id >= tagNames.size() || (tag.isIntegralNumber() && !tag.canConvertToInt())) {
                throw DataException.atField(file, line, tagsField, "tag " + word + ": " + tag.asText() + " is out of range [0, "
                        + tagNames.size() + ") of spec.task.labelNames");
            }
            return id;
        }
        if (tag.isTextual()) {
            int id = tagNames.indexOf(tag.asText());
            if (id < 0) {
                throw DataException.atField(file, line, tagsField, "tag " + word + ": '" + tag.asText()
                        + "' is not in spec.task.labelNames " + tagNames);
            }
            return id;
        }
        throw DataException.atField(file, line, tagsField, "tag " + word + " is " + (tag.isNull() ? "null" : tag.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                + ", expected a tag name or id");
    }

    private static JsonNode list(Path file, long line, String field, String cell, String what) {
        String text = cell.trim();
        if (!text.startsWith("[")) {
            throw DataException.atField(file, line, field, "expected a list of " + what + ", found " + abbreviate(text));
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isArray()) {
                throw DataException.atField(file, line, field, "expected a list of " + what + ", found " + abbreviate(text));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw DataException.atField(file, line, field, "not a JSON list of " + what + ": " + abbreviate(text));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? "'" + text.substring(0, 57) + "...'" : "'" + text + "'";
    }
}
