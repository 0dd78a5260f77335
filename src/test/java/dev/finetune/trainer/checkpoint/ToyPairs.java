package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.train.EvalBatchSource;
import dev.finetune.trainer.train.TrainBatchSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A learnable toy task for the tiny BERT: label 1 iff token 7 occurs in the row. Batch (epoch, k) is a pure
 * function of the seed (the epoch's order is a seeded shuffle), as the data package's TrainBatches; pad id 0.
 */
final class ToyPairs implements TrainBatchSource, EvalBatchSource {
    private final List<int[]> rows = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;

    private ToyPairs(int n, int batchSize, long seed, boolean shuffle) {
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        Random random = new Random(1000 + n);
        for (int i = 0; i < n; i++) {
            int[] ids = new int[3 + random.nextInt(6)];
            for (int t = 0; t < ids.length; t++) {
                int id;
                do {
                    id = 1 + random.nextInt(TinyBert.VOCAB - 1);
                } while (id == 7);
                ids[t] = id;
            }
            boolean positive = i % 2 == 0;
            if (positive) {
                ids[random.nextInt(ids.length)] = 7;
            }
            rows.add(ids);
            labels.add(positive ? 1 : 0);
        }
    }

    static ToyPairs train(int n, int batchSize, long seed) {
        return new ToyPairs(n, batchSize, seed, true);
    }

    static ToyPairs eval(int n, int batchSize) {
        return new ToyPairs(n, batchSize, 0, false);
    }

    @Override
    public int rowCount() {
        return rows.size();
    }

    @Override
    public int batchesPerEpoch() {
        return (rows.size() + batchSize - 1) / batchSize;
    }

    @Override
    public int batchCount() {
        return batchesPerEpoch();
    }

    @Override
    public Batch batch(int epoch, int index, NDManager manager) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        if (shuffle) {
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        }
        List<Integer> picked = order.subList(index * batchSize, Math.min(rows.size(), (index + 1) * batchSize));
        int longest = picked.stream().mapToInt(i -> rows.get(i).length).max().orElse(1);
        long[] ids = new long[picked.size() * longest];
        long[] mask = new long[ids.length];
        long[] gold = new long[picked.size()];
        for (int r = 0; r < picked.size(); r++) {
            int[] row = rows.get(picked.get(r));
            for (int t = 0; t < row.length; t++) {
                ids[r * longest + t] = row[t];
                mask[r * longest + t] = 1;
            }
            gold[r] = labels.get(picked.get(r));
        }
        Shape shape = new Shape(picked.size(), longest);
        NDArray inputIds = manager.create(ids, shape);
        return new Batch(inputIds, manager.zeros(shape, inputIds.getDataType()), manager.create(mask, shape),
                manager.create(gold));
    }

    @Override
    public Batch batch(int index, NDManager manager) {
        return batch(0, index, manager);
    }
}
