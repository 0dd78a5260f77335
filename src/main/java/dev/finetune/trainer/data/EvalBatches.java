package dev.finetune.trainer.data;

import ai.djl.ndarray.NDManager;
import java.util.List;

/** Evaluation or prediction batches: the rows in file order, no shuffling, the last batch smaller. */
public final class EvalBatches {
    private final List<EncodedExample> rows;
    private final int batchSize;
    private final PaddingCollator collator;

    public EvalBatches(List<EncodedExample> rows, int batchSize, int padTokenId) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("spec.training.perDeviceEvalBatchSize must be >= 1, got " + batchSize);
        }
        this.rows = TrainingData.immutable(rows);
        this.batchSize = batchSize;
        this.collator = new PaddingCollator(padTokenId);
    }

    public int rowCount() {
        return rows.size();
    }

    public int batchCount() {
        return (rows.size() + batchSize - 1) / batchSize;
    }

    /** Index of the first row of batch {@code k}, to match outputs with their examples. */
    public int firstRow(int k) {
        return k * batchSize;
    }

    /** Batch {@code k} (rows k*B .. k*B+B-1), padded to its longest row, created in {@code manager}. */
    public Batch batch(int k, NDManager manager) {
        if (k < 0 || k >= batchCount()) {
            throw new IndexOutOfBoundsException("batch " + k + " of " + batchCount());
        }
        int from = k * batchSize;
        return collator.collate(rows.subList(from, Math.min(rows.size(), from + batchSize)), manager);
    }
}
