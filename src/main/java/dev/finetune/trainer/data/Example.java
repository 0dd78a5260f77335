package dev.finetune.trainer.data;

import java.util.List;

/**
 * One row of a dataset as read from its file, before tokenisation.
 *
 * @param file the file it came from (for messages)
 * @param line the 1-based line the row starts on
 * @param texts one text (single-sentence tasks) or two (sentence pairs), in {@code textFields} order; for
 *     TokenClassification the row's words, in order
 * @param label the class id, or {@link #NO_LABEL} when the file has none (prediction)
 * @param targets multi-label (multi-hot) and regression targets, one per label; null for single-label rows
 *     and rows without a label
 * @param wordTags TokenClassification: the tag id of each word (null when the row has no tags: prediction); null for
 *     sequence-classification rows
 */
public record Example(String file, long line, List<String> texts, int label, float[] targets, int[] wordTags) {
    public static final int NO_LABEL = -1;

    public Example {
        texts = List.copyOf(texts);
    }

    /** A single-label row (or one without a label). */
    public Example(String file, long line, List<String> texts, int label) {
        this(file, line, texts, label, null, null);
    }

    /** A multi-label or regression row. */
    public Example(String file, long line, List<String> texts, int label, float[] targets) {
        this(file, line, texts, label, targets, null);
    }

    /** A TokenClassification row: its words and, where the data has them, a tag id per word (else null). */
    public static Example taggedWords(String file, long line, List<String> words, int[] wordTags) {
        return new Example(file, line, words, NO_LABEL, null, wordTags);
    }

    public boolean hasLabel() {
        return label != NO_LABEL || targets != null || wordTags != null;
    }
}
