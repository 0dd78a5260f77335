package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches over memory-mapped rows keep no per-row objects: what they retain in the heap grows by the epoch's
 * permutation (one int per row) and nothing else, while the same rows as objects grow the heap by tens of MB.
 */
class TokenizedRowsHeapTest {
    @TempDir
    Path dir;

    static EncodedExample row(int i) {
        int length = 20 + i % 13;
        int[] ids = new int[length];
        int[] types = new int[length];
        for (int t = 0; t < length; t++) {
            ids[t] = (i * 31 + t) % 4096;
            types[t] = t < length / 2 ? 0 : 1;
        }
        return new EncodedExample(ids, types, i % 2);
    }

    TokenizedRows mapped(int rows) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("rows-" + rows));
        try (TokenizedRowsWriter writer = new TokenizedRowsWriter(folder, 2)) {
            for (int i = 0; i < rows; i++) {
                writer.append(row(i));
            }
            writer.finish(0, Map.of());
        }
        return TokenizedRows.open(folder);
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    /** Heap retained by train and eval batches over {@code rows}, with an epoch's order computed and a batch read. */
    static long retainedBy(List<EncodedExample> rows) throws InterruptedException {
        long before = usedHeapAfterGc();
        TrainBatches train = new TrainBatches(rows, 8, 42, 0);
        EvalBatches eval = new EvalBatches(rows, 8, 0);
        train.rowIndices(0, 0);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertEquals(8, train.batch(0, train.batchesPerEpoch() - 2, manager).size());
            assertEquals(8, eval.batch(eval.batchCount() - 2, manager).size());
        }
        long after = usedHeapAfterGc();
        Reference.reachabilityFence(train);
        Reference.reachabilityFence(eval);
        return after - before;
    }

    @Test
    void batchesOverMappedRowsRetainNoPerRowObjects() throws Exception {
        TokenizedRows small = mapped(20_000);
        TokenizedRows large = mapped(200_000);
        assertArrayEquals(row(123_456).inputIds(), large.get(123_456).inputIds());
        assertArrayEquals(row(123_456).tokenTypeIds(), large.get(123_456).tokenTypeIds());

        long smallHeap = retainedBy(small);
        long largeHeap = retainedBy(large);
        long permutationGrowth = 180_000L * Integer.BYTES; // the one per-row structure: an epoch's order
        assertTrue(largeHeap - smallHeap < permutationGrowth + (2 << 20),
                "mapped: 20k rows retain " + smallHeap + " B, 200k rows " + largeHeap + " B");

        // The measure can fail: the same 200k rows as heap objects (the list a TrainBatches held before) retain far more.
        long before = usedHeapAfterGc();
        List<EncodedExample> objects = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            objects.add(row(i));
        }
        long objectHeap = usedHeapAfterGc() - before;
        Reference.reachabilityFence(objects);
        assertTrue(objectHeap > 20 << 20, "200k rows as objects hold " + objectHeap + " B");
        assertTrue(objectHeap > 10 * (largeHeap - smallHeap), "objects " + objectHeap + " B, mapped growth " + (largeHeap - smallHeap) + " B");
    }
}
