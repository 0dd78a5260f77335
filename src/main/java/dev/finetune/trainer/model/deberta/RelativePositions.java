package dev.finetune.trainer.model.deberta;

/**
 * DeBERTa's relative positions between query i and key j, as transformers' build_relative_position: i - j, and
 * with position buckets, exact within half a bucket count and log-spaced beyond (make_log_bucket_position, in
 * float32 as torch computes it). Then the rows of the relative embedding table that c2p and p2c read.
 */
final class RelativePositions {
    private RelativePositions() {}

    /** The (possibly bucketed) relative position of query i to key j. */
    static int of(int i, int j, int bucketSize, int maxPosition) {
        int relative = i - j;
        if (bucketSize <= 0 || maxPosition <= 0) {
            return relative;
        }
        int mid = bucketSize / 2;
        if (Math.abs(relative) <= mid) {
            return relative;
        }
        float ratio = (float) Math.abs(relative) / mid;
        float logRatio = (float) Math.log(ratio);
        float logMax = (float) Math.log((float) ((double) (maxPosition - 1) / mid));
        float logPosition = (float) Math.ceil(logRatio / logMax * (mid - 1)) + mid;
        return (int) (logPosition * Math.signum(relative));
    }

    /**
     * Row-major (T, T) indices into the 2 * span relative embeddings: clamp(r(i, j) + span) for c2p, and for p2c
     * clamp(-r(i, j) + span) (which, gathered and transposed as transformers does, pairs key j with query i).
     */
    static long[] embeddingRows(int length, int bucketSize, int maxPosition, int span, boolean negate) {
        long[] rows = new long[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                int r = of(i, j, bucketSize, maxPosition);
                rows[i * length + j] = Math.max(0, Math.min(2 * span - 1, (negate ? -r : r) + span));
            }
        }
        return rows;
    }
}
