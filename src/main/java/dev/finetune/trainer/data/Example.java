package dev.finetune.trainer.data;

import java.util.List;

/**
 * One row of a dataset as read from its file, before tokenisation.
 *
 * @param file the file it came from (for messages)
 * @param line the 1-based line the row starts on
 * @param texts one text (single-sentence tasks) or two (sentence pairs), in {@code textFields} order
 * @param label the class id, or {@link #NO_LABEL} when the file has none (prediction)
 */
public record Example(String file, long line, List<String> texts, int label) {
    public static final int NO_LABEL = -1;

    public Example {
        texts = List.copyOf(texts);
    }

    public boolean hasLabel() {
        return label != NO_LABEL;
    }
}
