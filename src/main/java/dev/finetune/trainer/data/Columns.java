package dev.finetune.trainer.data;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The columns a task reads from each row: required ones (the texts, and the label for training)
 * must be present; optional ones (the label for prediction) may be absent; list columns may hold arrays.
 */
record Columns(List<String> required, List<String> optional, Set<String> lists) {
    Columns {
        required = List.copyOf(required);
        optional = List.copyOf(optional);
        lists = Set.copyOf(lists);
    }

    Columns(List<String> required, List<String> optional) {
        this(required, optional, Set.of());
    }

    /** A column whose cells may be JSON arrays (kept as their JSON text): pre-tokenised input_ids, multi-label labels. */
    boolean isList(String column) {
        return lists.contains(column);
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
