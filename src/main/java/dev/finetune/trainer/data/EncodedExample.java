package dev.finetune.trainer.data;

/**
 * One tokenised row, unpadded: {@code [CLS] a [SEP] (b [SEP])} ids with their token type ids, and the
 * label ({@link Example#NO_LABEL} when there is none), or the float targets of a multi-label or regression row
 * ({@link Example#targets}). Plain arrays, so a whole dataset stays small.
 *
 * @param attentionMask 1 for a token, 0 for one the model must not attend to, as a pre-tokenised row gives it
 *     (its own padding, say); null when every token is attended to, as for every row the tokenizer made
 * @param tokenLabels TokenClassification: one per token, the word's tag id on its first sub-token, {@link #IGNORED}
 *     (-100, as transformers) on the other sub-tokens and the special tokens, {@link Example#NO_LABEL} on a first
 *     sub-token whose word has no tag (prediction); null for sequence-classification rows
 */
public record EncodedExample(int[] inputIds, int[] tokenTypeIds, int label, float[] targets, int[] attentionMask,
        int[] tokenLabels) {
    /** The label of a token the loss and the metrics skip: torch's cross-entropy ignore_index. */
    public static final int IGNORED = -100;

    /** A single-label row (or one without a label) whose tokens are all attended to. */
    public EncodedExample(int[] inputIds, int[] tokenTypeIds, int label) {
        this(inputIds, tokenTypeIds, label, null, null, null);
    }

    /** A sequence-classification row. */
    public EncodedExample(int[] inputIds, int[] tokenTypeIds, int label, float[] targets, int[] attentionMask) {
        this(inputIds, tokenTypeIds, label, targets, attentionMask, null);
    }

    public EncodedExample {
        if (inputIds.length != tokenTypeIds.length) {
            throw new IllegalArgumentException("inputIds and tokenTypeIds differ in length: "
                    + inputIds.length + " vs " + tokenTypeIds.length);
        }
        if (attentionMask != null && attentionMask.length != inputIds.length) {
            throw new IllegalArgumentException("inputIds and attentionMask differ in length: "
                    + inputIds.length + " vs " + attentionMask.length);
        }
        if (tokenLabels != null && tokenLabels.length != inputIds.length) {
            throw new IllegalArgumentException("inputIds and tokenLabels differ in length: "
                    + inputIds.length + " vs " + tokenLabels.length);
        }
    }

    public int length() {
        return inputIds.length;
    }

    /** The mask of token {@code t}: 1 unless the row's own attention mask says 0. */
    public int attends(int t) {
        return attentionMask == null ? 1 : attentionMask[t];
    }
}
