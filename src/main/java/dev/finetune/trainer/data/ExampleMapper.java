package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a raw row into an {@link Example}, checking its texts and label against the task: a class id or name
 * (single-label), a list of them (multi-label) or numbers (regression).
 */
final class ExampleMapper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private final List<String> textFields;
    private final String labelField;
    private final List<String> labelNames;
    private final int numLabels;
    private final boolean labelRequired;
    private final String problemType;
    /** TokenClassification rows' words and tags; null for sequence classification. */
    private final TaggedWordsCells taggedWords;

    /** With {@code labelRequired} false (prediction), a row without a label gets {@link Example#NO_LABEL}. */
    ExampleMapper(TaskSpec task, boolean labelRequired) {
        List<String> errors = TaskRules.errors(task);
        if (!errors.isEmpty()) {
            throw new DataException(String.join("; ", errors));
        }
        if (TaskRules.isTokenClassification(task)) {
            this.taggedWords = new TaggedWordsCells(task.tokensField, task.tagsField, task.labelNames);
            this.textFields = List.of(task.tokensField);
            this.labelField = task.tagsField;
            this.labelNames = List.copyOf(task.labelNames);
            this.numLabels = task.numLabels;
            this.labelRequired = labelRequired;
            this.problemType = TaskRules.problemType(task);
            return;
        }
        this.taggedWords = null;
        if (task.textFields == null || task.textFields.isEmpty() || task.textFields.size() > 2) {
            throw new DataException("spec.task.textFields must name 1 or 2 columns, got "
                    + (task.textFields == null ? "none" : task.textFields));
        }
        if (task.labelField == null || task.labelField.isBlank()) {
            throw new DataException("spec.task.labelField must name a column");
        }
        this.textFields = List.copyOf(task.textFields);
        this.labelField = task.labelField;
        this.labelNames = task.labelNames == null ? List.of() : List.copyOf(task.labelNames);
        this.numLabels = task.numLabels;
        this.labelRequired = labelRequired;
        this.problemType = TaskRules.problemType(task);
    }

    /** The columns to read: the texts always, the label for training (optional for prediction). */
    Columns columns() {
        // Words and tags are lists; so may be a multi-label row's label set or a regression row's numLabels values.
        Set<String> lists = taggedWords != null ? Set.of(textFields.get(0), labelField)
                : TaskRules.SINGLE_LABEL.equals(problemType) ? Set.of() : Set.of(labelField);
        return labelRequired
                ? new Columns(concat(textFields, labelField), List.of(), lists)
                : new Columns(textFields, List.of(labelField), lists);
    }

    Example map(Path file, RawRow row) {
        if (taggedWords != null) {
            return mapTaggedWords(file, row);
        }
        List<String> texts = new ArrayList<>(textFields.size());
        for (String field : textFields) {
            String text = row.cells().get(field);
            if (text == null) {
                throw DataException.atField(file, row.line(), field, "is null");
            }
            if (text.isBlank()) {
                throw DataException.atField(file, row.line(), field, "empty text");
            }
            texts.add(text);
        }
        return labelled(file, row, texts);
    }

    /** A pre-tokenised row's place and label, read as {@link #map} reads them; its token ids are read elsewhere. */
    Example mapLabel(Path file, RawRow row) {
        if (taggedWords != null) {
            return new Example(file.toString(), row.line(), List.of(), Example.NO_LABEL); // labels per token: tokenLabels
        }
        return labelled(file, row, List.of());
    }

    /** The columns that hold the row's text (the words of a TokenClassification row), which pre-tokenised rows lack. */
    List<String> textColumns() {
        return textFields;
    }

    /** Whether rows are TokenClassification ones (labels per word, or per token when pre-tokenised). */
    boolean isTokenClassification() {
        return taggedWords != null;
    }

    /**
     * A pre-tokenised TokenClassification row's labels, one per token (spec.task.tagsField); without that column
     * (prediction) every token is predicted: {@link Example#NO_LABEL} on each.
     */
    int[] tokenLabels(Path file, RawRow row, int tokenCount) {
        String cell = row.cells().get(labelField);
        if (cell == null || cell.isBlank()) {
            if (labelRequired) {
                throw DataException.atField(file, row.line(), labelField, row.cells().containsKey(labelField) ? "is null" : "missing from this row");
            }
            int[] unknown = new int[tokenCount];
            java.util.Arrays.fill(unknown, Example.NO_LABEL);
            return unknown;
        }
        return taggedWords.tokenLabels(file, row.line(), cell, tokenCount);
    }

    /** A TokenClassification row: its words and, unless predicting on untagged data, one tag per word. */
    private Example mapTaggedWords(Path file, RawRow row) {
        String wordsField = textFields.get(0);
        String wordsCell = row.cells().get(wordsField);
        if (wordsCell == null) {
            throw DataException.atField(file, row.line(), wordsField, "is null");
        }
        List<String> words = taggedWords.words(file, row.line(), wordsCell);
        String tagsCell = row.cells().get(labelField);
        if (tagsCell == null) {
            if (!labelRequired) {
                return Example.taggedWords(file.toString(), row.line(), words, null);
            }
            throw DataException.atField(file, row.line(), labelField, row.cells().containsKey(labelField) ? "is null" : "missing from this row");
        }
        return Example.taggedWords(file.toString(), row.line(), words, taggedWords.tags(file, row.line(), tagsCell, words.size()));
    }

    /** The row's label read as the problem type says: a class id, a multi-hot vector or regression targets. */
    private Example labelled(Path file, RawRow row, List<String> texts) {
        String value = row.cells().get(labelField);
        if (value == null || value.isBlank()) {
            if (!labelRequired) {
                return new Example(file.toString(), row.line(), texts, Example.NO_LABEL); // prediction without gold labels
            }
            throw DataException.atField(file, row.line(), labelField, value == null ? "is null" : "empty label");
        }
        return switch (problemType) {
            case TaskRules.MULTI_LABEL -> new Example(file.toString(), row.line(), texts, Example.NO_LABEL,
                    multiHot(file, row.line(), value.trim()));
            case TaskRules.REGRESSION -> new Example(file.toString(), row.line(), texts, Example.NO_LABEL,
                    values(file, row.line(), value.trim()));
            default -> new Example(file.toString(), row.line(), texts, classId(file, row.line(), value.trim()));
        };
    }

    /**
     * A list of labels (ids or names) as a multi-hot vector: a JSON array ({@code [0, 2]}, {@code ["sports"]}) or, as
     * a CSV cell, ids or names separated by commas, semicolons or spaces; an empty list is a row with no label set.
     */
    private float[] multiHot(Path file, long line, String text) {
        List<String> items = new ArrayList<>();
        if (text.startsWith("[")) {
            try {
                JsonNode array = JSON.readTree(text);
                for (JsonNode item : array) {
                    if (item.isContainerNode() || item.isNull()) {
                        throw DataException.atField(file, line, labelField, "expected a list of label ids or names, found " + text);
                    }
                    items.add(item.asText());
                }
            } catch (JsonProcessingException e) {
                throw DataException.atField(file, line, labelField, "not a JSON list of labels: " + text);
            }
        } else {
            for (String item : text.split("[,; ]+")) {
                if (!item.isEmpty()) {
                    items.add(item);
                }
            }
        }
        float[] hot = new float[numLabels];
        for (String item : items) {
            hot[classId(file, line, item.trim())] = 1f;
        }
        return hot;
    }

    /** Regression targets: one number, or a JSON list of numLabels numbers. */
    private float[] values(Path file, long line, String text) {
        List<String> items = new ArrayList<>();
        if (text.startsWith("[")) {
            try {
                JSON.readTree(text).forEach(item -> items.add(item.asText()));
            } catch (JsonProcessingException e) {
                throw DataException.atField(file, line, labelField, "not a JSON list of numbers: " + text);
            }
        } else {
            items.add(text);
        }
        if (items.size() != numLabels) {
            throw DataException.atField(file, line, labelField, items.size() + " values where spec.task.numLabels is " + numLabels);
        }
        float[] values = new float[numLabels];
        for (int i = 0; i < numLabels; i++) {
            String item = items.get(i).trim();
            // Decimal numbers only: Java's parser would also take "1f", "0x1p3" and "NaN", which are no scores.
            values[i] = DECIMAL.matcher(item).matches() ? Float.parseFloat(item) : Float.NaN;
            if (!Float.isFinite(values[i])) {
                throw DataException.atField(file, line, labelField, "'" + items.get(i) + "' is not a finite number (a regression target)");
            }
        }
        return values;
    }

    private int classId(Path file, long line, String text) {
        int label;
        if (text.matches("[+-]?\\d{1,9}")) {
            label = Integer.parseInt(text);
        } else {
            label = labelNames.indexOf(text);
            if (label < 0) {
                throw DataException.atField(file, line, labelField, "'" + text
                        + "' is neither an integer nor a label name " + (labelNames.isEmpty()
                                ? "(spec.task.labelNames is empty)" : "of spec.task.labelNames " + labelNames));
            }
        }
        if (label < 0 || label >= numLabels) {
            throw DataException.atField(file, line, labelField, label + " is out of range [0, " + numLabels + ")");
        }
        return label;
    }

    private static List<String> concat(List<String> list, String last) {
        List<String> all = new ArrayList<>(list);
        all.add(last);
        return all;
    }
}
