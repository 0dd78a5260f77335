package dev.finetune.trainer.data;

/**
 * One tokenised row, unpadded: {@code [CLS] a [SEP] (b [SEP])} ids with their token type ids, and the
 * label ({@link Example#NO_LABEL} when there is none), or the float targets of a multi-label or regression row
 * ({@link Example#targets}). Plain arrays, so a whole dataset stays small.
 */
public record EncodedExample(int[] inputIds, int[] tokenTypeIds, int label, float[] targets) {
    /** A single-label row (or one without a label). */
    public EncodedExample(int[] inputIds, int[] tokenTypeIds, int label) {
        this(inputIds, tokenTypeIds, label, null);
    }

    public EncodedExample {
        if (inputIds.length != tokenTypeIds.length) {
            throw new IllegalArgumentException("inputIds and tokenTypeIds differ in length: "
                    + inputIds.length + " vs " + tokenTypeIds.length);
        }
    }

    public int length() {
        return inputIds.length;
    }
}
