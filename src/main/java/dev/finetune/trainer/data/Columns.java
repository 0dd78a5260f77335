package dev.finetune.trainer.data;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The columns a task reads from each row: required ones (the texts, and the label for training)
 * must be present; optional ones (the label for prediction) may be absent.
 */
record Columns(List<String> required, List<String> optional) {
    Columns {
        required = List.copyOf(required);
        optional = List.copyOf(optional);
    }

    Set<String> all() {
        Set<String> all = new LinkedHashSet<>(required);
        all.addAll(optional);
        return all;
    }

    boolean isRequired(String column) {
        return required.contains(column);
    }
}
