package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.data.Batch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A learnable toy task for loop and checkpoint tests (ids below the tiny BERT's vocabulary): label 1 iff token 7 occurs in the row. Stands in for the data
 * package: a (seed, epoch) shuffle, batches with dynamic padding (pad id 0) and a smaller last batch.
 */
public final class ToyData implements TrainBatchSource, EvalBatchSource {
    public static final int VOCAB = 20;
    private final List<int[]> rows = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean unlabelled;
    /** Regression targets instead of class ids: (B, 1) scores, 3 for a row with token 7, plus a quarter of its length. */
    private boolean scores;

    ToyData(int n, int batchSize, long seed, boolean shuffle, boolean unlabelled) {
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.unlabelled = unlabelled;
        Random random = new Random(1000 + n);
        for (int i = 0; i < n; i++) {
            int length = 3 + random.nextInt(6);
            int[] ids = new int[length];
            boolean positive = i % 2 == 0;
            for (int t = 0; t < length; t++) {
                int id;
                do {
                    id = 1 + random.nextInt(VOCAB - 1);
                } while (id == 7);
                ids[t] = id;
            }
            if (positive) {
                ids[random.nextInt(length)] = 7;
            }
            rows.add(ids);
            labels.add(positive ? 1 : 0);
        }
    }

    public static ToyData train(int n, int batchSize, long seed) {
        return new ToyData(n, batchSize, seed, true, false);
    }

    public static ToyData eval(int n, int batchSize) {
        return new ToyData(n, batchSize, 0, false, false);
    }

    /** The same rows scored for a regression (float (B, 1) targets, as the collator gives a regression batch). */
    public ToyData asRegression() {
        scores = true;
        return this;
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

    private List<Integer> order(int epoch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        if (shuffle) {
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        }
        return order;
    }

    @Override
    public Batch batch(int epoch, int index, NDManager manager) {
        List<Integer> order = order(epoch);
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
            gold[r] = unlabelled ? -1 : labels.get(picked.get(r));
        }
        Shape shape = new Shape(picked.size(), longest);
        NDArray inputIds = manager.create(ids, shape);
        NDArray labels = manager.create(gold);
        if (scores) {
            float[] targets = new float[picked.size()];
            for (int r = 0; r < targets.length; r++) {
                targets[r] = 3f * gold[r] + 0.25f * rows.get(picked.get(r)).length;
            }
            labels = manager.create(targets, new Shape(targets.length, 1));
        }
        return new Batch(inputIds, manager.zeros(shape, inputIds.getDataType()), manager.create(mask, shape), labels);
    }

    @Override
    public Batch batch(int index, NDManager manager) {
        return batch(0, index, manager);
    }
}
