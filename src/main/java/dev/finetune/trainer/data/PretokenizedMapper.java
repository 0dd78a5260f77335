package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TaskSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rows that carry their token ids (an {@code input_ids} column, optionally {@code token_type_ids} and
 * {@code attention_mask}), as a dataset mapped through a tokenizer holds them: they train and predict with no
 * tokenizer. Each row is checked against the model ({@link ModelInputs}) and never truncated, as transformers'
 * Trainer takes such rows as they are: a row longer than the limit is refused, naming its file and line.
 */
final class PretokenizedMapper {
    static final String INPUT_IDS = "input_ids";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String ATTENTION_MASK = "attention_mask";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExampleMapper labels;
    private final List<String> textFields;
    private final ModelInputs model;
    private final Integer maxLength;
    private final String maxLengthField;

    /**
     * @param maxLength the longest row allowed besides the model's own limit (spec.task.maxLength, --max-length), or null
     * @param maxLengthField what sets it, for messages
     */
    PretokenizedMapper(TaskSpec task, boolean labelRequired, ModelInputs model, Integer maxLength, String maxLengthField) {
        this.labels = new ExampleMapper(task, labelRequired);
        this.textFields = labels.textColumns();
        this.model = model;
        this.maxLength = maxLength;
        this.maxLengthField = maxLengthField;
    }

    /**
     * Whether {@code file} holds pre-tokenised rows: its first row (JSON lines) or its header (CSV, TSV) has an
     * input_ids column. The whole file is read as that kind; a row of the other kind is an error naming its line.
     */
    static boolean isPretokenized(Path file, DataFormat format) throws IOException {
        if (format != DataFormat.JSONL) {
            return DelimitedRows.header(file, format).contains(INPUT_IDS);
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.startsWith("\uFEFF") ? line.substring(1) : line;
                if (!line.isBlank()) {
                    JsonNode row = JSON.readTree(line);
                    return row != null && row.isObject() && row.has(INPUT_IDS);
                }
            }
            return false;
        } catch (IOException e) {
            return false; // not UTF-8 or not JSON: the read that follows names the line
        }
    }

    /** The label column as the task reads it, the three id columns (lists); the text columns are not read. */
    Columns columns() {
        Columns task = labels.columns();
        List<String> required = new ArrayList<>(task.required());
        required.removeAll(textFields);
        List<String> optional = new ArrayList<>(task.optional());
        optional.removeAll(textFields);
        optional.addAll(List.of(INPUT_IDS, TOKEN_TYPE_IDS, ATTENTION_MASK));
        Set<String> lists = new HashSet<>(task.lists());
        lists.addAll(List.of(INPUT_IDS, TOKEN_TYPE_IDS, ATTENTION_MASK));
        return new Columns(required, optional, lists);
    }

    /** @param firstLine the line of the file's first row, which made it a pre-tokenised file (for the mixed-rows message) */
    PretokenizedRow map(Path file, RawRow row, long firstLine) {
        long line = row.line();
        if (!row.cells().containsKey(INPUT_IDS)) {
            throw DataException.atField(file, line, INPUT_IDS, "missing from this row, but the row on line " + firstLine
                    + " is pre-tokenised: a dataset is either all pre-tokenised (input_ids on every row) or all text");
        }
        String idsCell = row.cells().get(INPUT_IDS);
        if (idsCell == null) {
            throw DataException.atField(file, line, INPUT_IDS, "is null");
        }
        int[] ids = ints(file, line, INPUT_IDS, idsCell);
        if (ids.length == 0) {
            throw DataException.atField(file, line, INPUT_IDS, "an empty list of token ids");
        }
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= model.vocabSize()) {
                throw DataException.atField(file, line, INPUT_IDS, "token id " + ids[t] + " (position " + t
                        + ") is outside the model's vocabulary [0, " + model.vocabSize() + ") (vocab_size of " + model.config() + ")");
            }
        }
        checkLength(file, line, ids.length);
        int[] types = new int[ids.length];
        String typeCell = row.cells().get(TOKEN_TYPE_IDS);
        if (typeCell != null && !typeCell.isBlank()) { // blank: an empty CSV cell
            int[] given = sameLength(file, line, TOKEN_TYPE_IDS, ints(file, line, TOKEN_TYPE_IDS, typeCell), ids.length);
            // A model without token types ignores them, as transformers does (DeBERTa-v3's tokenizer still gives them).
            if (model.typeVocabSize() > 0) {
                for (int t = 0; t < given.length; t++) {
                    if (given[t] < 0 || given[t] >= model.typeVocabSize()) {
                        throw DataException.atField(file, line, TOKEN_TYPE_IDS, "token type id " + given[t] + " (position " + t
                                + ") is outside [0, " + model.typeVocabSize() + ") (type_vocab_size of " + model.config() + ")");
                    }
                }
                types = given;
            }
        }
        int[] mask = null;
        String maskCell = row.cells().get(ATTENTION_MASK);
        if (maskCell != null && !maskCell.isBlank()) {
            mask = sameLength(file, line, ATTENTION_MASK, ints(file, line, ATTENTION_MASK, maskCell), ids.length);
            for (int t = 0; t < mask.length; t++) {
                if (mask[t] != 0 && mask[t] != 1) {
                    throw DataException.atField(file, line, ATTENTION_MASK, mask[t] + " at position " + t + ": expected 0 or 1");
                }
            }
        }
        Example labelled = labels.mapLabel(file, row);
        int[] tokenLabels = labels.isTokenClassification() ? labels.tokenLabels(file, row, ids.length) : null;
        return new PretokenizedRow(labelled, new EncodedExample(ids, types, labelled.label(), labelled.targets(), mask, tokenLabels));
    }

    private void checkLength(Path file, long line, int length) {
        if (maxLength != null && length > maxLength && maxLength < model.maxInputLength()) {
            throw DataException.atField(file, line, INPUT_IDS, length + " tokens, more than " + maxLengthField + " " + maxLength
                    + ": pre-tokenised rows are not truncated; shorten the row or raise " + maxLengthField
                    + " (the model takes up to " + model.maxInputLength() + ")");
        }
        if (length > model.maxInputLength()) {
            throw DataException.atField(file, line, INPUT_IDS, length + " tokens, more than the model takes ("
                    + model.maxInputLength() + ", from max_position_embeddings of " + model.config()
                    + "): pre-tokenised rows are not truncated; shorten the row");
        }
    }

    private static int[] sameLength(Path file, long line, String field, int[] values, int length) {
        if (values.length != length) {
            throw DataException.atField(file, line, field, values.length + " values where input_ids has " + length);
        }
        return values;
    }

    /** A JSON list of integers (the cell of a JSON lines array, or a CSV cell holding one). */
    private static int[] ints(Path file, long line, String field, String cell) {
        JsonNode list;
        try {
            list = JSON.readTree(cell.trim());
        } catch (JsonProcessingException e) {
            list = null;
        }
        if (list == null || !list.isArray()) {
            throw DataException.atField(file, line, field, "expected a list of integers like [101, 2023, 102], found "
                    + abbreviate(cell));
        }
        int[] values = new int[list.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = list.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw DataException.atField(file, line, field, "expected integers, found " + abbreviate(value.toString())
                        + " at position " + i);
            }
            values[i] = value.intValue();
        }
        return values;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
