package dev.finetune.trainer.data;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training batches: each epoch visits every row once in a shuffled order ({@link EpochOrder}), in
 * batches of {@code batchSize}; the last batch keeps the remainder (ceil(N / B) batches, as the Trainer's
 * DataLoader without drop_last). Any batch of any epoch can be asked for directly, so a resume starts at
 * batch k of its epoch. Usage, one step at a time:
 * <pre>{@code
 * for (int k = startBatch; k < batches.batchesPerEpoch(); k++) {
 *     try (NDManager step = model.getNDManager().newSubManager()) {
 *         Batch batch = batches.batch(epoch, k, step);
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class TrainBatches {
    private final List<EncodedExample> rows;
    private final int batchSize;
    private final EpochOrder order;
    private final PaddingCollator collator;
    private int cachedEpoch = -1;
    private int[] cachedOrder;

    public TrainBatches(List<EncodedExample> rows, int batchSize, long seed, int padTokenId) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no training rows");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("spec.training.perDeviceTrainBatchSize must be >= 1, got " + batchSize);
        }
        this.rows = TrainingData.immutable(rows);
        this.batchSize = batchSize;
        this.order = new EpochOrder(rows.size(), seed);
        this.collator = new PaddingCollator(padTokenId);
    }

    public int rowCount() {
        return rows.size();
    }

    public int batchesPerEpoch() {
        return (rows.size() + batchSize - 1) / batchSize;
    }

    /** The row indices of batch {@code k} (0-based) of {@code epoch} (0-based). */
    public int[] rowIndices(int epoch, int k) {
        if (k < 0 || k >= batchesPerEpoch()) {
            throw new IndexOutOfBoundsException("batch " + k + " of " + batchesPerEpoch());
        }
        int[] permutation = permutation(epoch);
        int from = k * batchSize;
        int to = Math.min(rows.size(), from + batchSize);
        return Arrays.copyOfRange(permutation, from, to);
    }

    /** Batch {@code k} of {@code epoch}, padded to its longest row, created in {@code manager}. */
    public Batch batch(int epoch, int k, NDManager manager) {
        int[] indices = rowIndices(epoch, k);
        List<EncodedExample> batchRows = new ArrayList<>(indices.length);
        for (int i : indices) {
            batchRows.add(rows.get(i));
        }
        return collator.collate(batchRows, manager);
    }

    /** One permutation per epoch, computed once: the loop asks for the batches of an epoch in turn. */
    private synchronized int[] permutation(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (epoch != cachedEpoch) {
            cachedOrder = order.permutation(epoch);
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
