package dev.finetune.trainer.data;

/**
 * One tokenised row, unpadded: {@code [CLS] a [SEP] (b [SEP])} ids with their token type ids, and the
 * label ({@link Example#NO_LABEL} when there is none). Plain arrays, so a whole dataset stays small.
 */
public record EncodedExample(int[] inputIds, int[] tokenTypeIds, int label) {
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
