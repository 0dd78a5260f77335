package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
    static final int PAD = 7; // not 0, so padding is seen to come from the tokenizer's pad id

    /** Row i has length 3 + i % 5 and label i % 2; its ids are 100*i + position. */
    static List<EncodedExample> rows(int n) {
        List<EncodedExample> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 3 + i % 5;
            int[] ids = new int[length];
            int[] types = new int[length];
            for (int t = 0; t < length; t++) {
                ids[t] = 100 * i + t + 1000;
                types[t] = t >= length / 2 ? 1 : 0;
            }
            rows.add(new EncodedExample(ids, types, i % 2));
        }
        return rows;
    }

    @Test
    void epochOrderIsAPureFunctionOfSeedAndEpoch() {
        EpochOrder order = new EpochOrder(100, 42);
        assertArrayEquals(order.permutation(0), new EpochOrder(100, 42).permutation(0));
        assertFalse(Arrays.equals(order.permutation(0), order.permutation(1)), "reshuffled each epoch");
        assertFalse(Arrays.equals(order.permutation(0), new EpochOrder(100, 43).permutation(0)), "seed matters");
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] sorted = order.permutation(epoch).clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 100; i++) {
                assertEquals(i, sorted[i], "every row once per epoch");
            }
        }
    }

    @Test
    void eachEpochVisitsEveryRowOnceInCeilNOverBBatches() {
        TrainBatches batches = new TrainBatches(rows(21), 8, 42, PAD);
        assertEquals(3, batches.batchesPerEpoch());
        assertEquals(8, batches.rowIndices(0, 0).length);
        assertEquals(5, batches.rowIndices(0, 2).length, "the last batch keeps the remainder");
        boolean[] seen = new boolean[21];
        for (int k = 0; k < 3; k++) {
            for (int i : batches.rowIndices(1, k)) {
                assertFalse(seen[i]);
                seen[i] = true;
            }
        }
        assertEquals(3668 / 8 + 1, new TrainBatches(rows(3668), 8, 42, PAD).batchesPerEpoch(), "MRPC: 459 a epoch");
    }

    @Test
    void resumingAtBatchKGivesTheSameBatchesAsTheUninterruptedEpoch() {
        List<EncodedExample> rows = rows(50);
        TrainBatches first = new TrainBatches(rows, 4, 42, PAD);
        List<int[]> uninterrupted = new ArrayList<>();
        for (int k = 0; k < first.batchesPerEpoch(); k++) {
            uninterrupted.add(first.rowIndices(2, k));
        }
        // A new process (fresh object, no state) resuming epoch 2 at batch 5.
        TrainBatches resumed = new TrainBatches(rows, 4, 42, PAD);
        for (int k = 5; k < resumed.batchesPerEpoch(); k++) {
            assertArrayEquals(uninterrupted.get(k), resumed.rowIndices(2, k), "batch " + k);
        }
    }

    @Test
    void batchesArePaddedToTheirLongestRow() {
        List<EncodedExample> rows = rows(5); // lengths 3, 4, 5, 6, 7
        try (NDManager manager = NDManager.newBaseManager()) {
            EvalBatches eval = new EvalBatches(rows, 3, PAD);
            assertEquals(2, eval.batchCount());
            Batch first = eval.batch(0, manager);
            assertEquals(3, first.size());
            assertEquals(new Shape(3, 5), first.inputIds().getShape());
            assertEquals(new Shape(3, 5), first.tokenTypeIds().getShape());
            assertEquals(new Shape(3, 5), first.attentionMask().getShape());
            assertEquals(new Shape(3), first.labels().getShape());
            assertEquals(DataType.INT64, first.inputIds().getDataType());
            assertEquals(DataType.INT64, first.attentionMask().getDataType());
            assertEquals(DataType.INT64, first.labels().getDataType());
            assertArrayEquals(new long[] {1000, 1001, 1002, PAD, PAD, 1100, 1101, 1102, 1103, PAD,
                    1200, 1201, 1202, 1203, 1204}, first.inputIds().toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1},
                    first.attentionMask().toLongArray());
            assertArrayEquals(new long[] {0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1},
                    first.tokenTypeIds().toLongArray(), "padding has token type 0");
            assertArrayEquals(new long[] {0, 1, 0}, first.labels().toLongArray());

            Batch last = eval.batch(1, manager);
            assertEquals(new Shape(2, 7), last.inputIds().getShape(), "the last, smaller batch: rows 3 and 4");
            assertEquals(3, eval.firstRow(1));

            TrainBatches train = new TrainBatches(rows, 2, 42, PAD);
            Batch shuffled = train.batch(0, 0, manager);
            int[] indices = train.rowIndices(0, 0);
            int longest = Math.max(rows.get(indices[0]).length(), rows.get(indices[1]).length());
            assertEquals(new Shape(2, longest), shuffled.inputIds().getShape());
            assertEquals(rows.get(indices[0]).length() + rows.get(indices[1]).length(),
                    shuffled.attentionMask().sum().getLong(), "mask counts the real tokens");
        }
    }

    @Test
    void batchArraysLiveInTheCallersManager() {
        try (NDManager parent = NDManager.newBaseManager()) {
            TrainBatches train = new TrainBatches(rows(10), 4, 1, PAD);
            Batch batch;
            try (NDManager step = parent.newSubManager()) {
                batch = train.batch(0, 0, step);
                assertEquals(step, batch.inputIds().getManager());
            }
            for (var array : List.of(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), batch.labels())) {
                assertTrue(array.isReleased(), "closed with the step's manager");
            }
        }
    }
}
