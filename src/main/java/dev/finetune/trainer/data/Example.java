package dev.finetune.trainer.data;

import java.util.List;

/**
 * One row of a dataset as read from its file, before tokenisation.
 *
 * @param file the file it came from (for messages)
 * @param line the 1-based line the row starts on
 * @param texts one text (single-sentence tasks) or two (sentence pairs), in {@code textFields} order
 * @param label the class id, or {@link #NO_LABEL} when the file has none (prediction)
 * @param targets multi-label (multi-hot) and regression targets, one per label; null for single-label rows
 *     and rows without a label
 */
public record Example(String file, long line, List<String> texts, int label, float[] targets) {
    public static final int NO_LABEL = -1;

    public Example {
        texts = List.copyOf(texts);
    }

    /** A single-label row (or one without a label). */
    public Example(String file, long line, List<String> texts, int label) {
        this(file, line, texts, label, null);
    }

    public boolean hasLabel() {
        return label != NO_LABEL || targets != null;
    }
}
