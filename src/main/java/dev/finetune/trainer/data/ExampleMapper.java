package dev.finetune.trainer.data;

import dev.finetune.api.TaskSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a raw row into an {@link Example}, checking its texts and label against the task. */
final class ExampleMapper {
    private final List<String> textFields;
    private final String labelField;
    private final List<String> labelNames;
    private final int numLabels;
    private final boolean labelRequired;

    /** With {@code labelRequired} false (prediction), a row without a label gets {@link Example#NO_LABEL}. */
    ExampleMapper(TaskSpec task, boolean labelRequired) {
        if (task.textFields == null || task.textFields.isEmpty() || task.textFields.size() > 2) {
            throw new DataException("spec.task.textFields must name 1 or 2 columns, got "
                    + (task.textFields == null ? "none" : task.textFields));
        }
        if (task.labelField == null || task.labelField.isBlank()) {
            throw new DataException("spec.task.labelField must name a column");
        }
        if (task.numLabels == null || task.numLabels < 2) {
            throw new DataException("spec.task.numLabels must be at least 2, got " + task.numLabels);
        }
        this.textFields = List.copyOf(task.textFields);
        this.labelField = task.labelField;
        this.labelNames = task.labelNames == null ? List.of() : List.copyOf(task.labelNames);
        this.numLabels = task.numLabels;
        this.labelRequired = labelRequired;
    }

    /** The columns to read: the texts always, the label for training (optional for prediction). */
    Columns columns() {
        return labelRequired
                ? new Columns(concat(textFields, labelField), List.of())
                : new Columns(textFields, List.of(labelField));
    }

    Example map(Path file, RawRow row) {
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
        return new Example(file.toString(), row.line(), texts, label(file, row));
    }

    /** A pre-tokenised row's place and label, read as {@link #map} reads them; its token ids are read elsewhere. */
    Example mapLabel(Path file, RawRow row) {
        return new Example(file.toString(), row.line(), List.of(), label(file, row));
    }

    private int label(Path file, RawRow row) {
        String value = row.cells().get(labelField);
        if (value == null || value.isBlank()) {
            if (!labelRequired) {
                return Example.NO_LABEL; // prediction on rows without a gold label
            }
            throw DataException.atField(file, row.line(), labelField, value == null ? "is null" : "empty label");
        }
        String text = value.trim();
        int label;
        if (text.matches("[+-]?\\d{1,9}")) {
            label = Integer.parseInt(text);
        } else {
            label = labelNames.indexOf(text);
            if (label < 0) {
                throw DataException.atField(file, row.line(), labelField, "'" + text
                        + "' is neither an integer nor a label name " + (labelNames.isEmpty()
                                ? "(spec.task.labelNames is empty)" : "of spec.task.labelNames " + labelNames));
            }
        }
        if (label < 0 || label >= numLabels) {
            throw DataException.atField(file, row.line(), labelField, label + " is out of range [0, " + numLabels + ")");
        }
        return label;
    }

    private static List<String> concat(List<String> list, String last) {
        List<String> all = new ArrayList<>(list);
        all.add(last);
        return all;
    }
}
