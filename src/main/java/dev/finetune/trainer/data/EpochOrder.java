package dev.finetune.trainer.data;

import java.util.SplittableRandom;

/**
 * The order rows are visited in one training epoch, as the Hugging Face Trainer's RandomSampler: a
 * fresh permutation each epoch. It is a pure function of (seed, epoch), so a resumed run recomputes the
 * interrupted epoch's order without saving it. (Same distribution as torch's randperm, not the same
 * stream: orders differ from a PyTorch run with the same seed.)
 */
public final class EpochOrder {
    private final int size;
    private final long seed;

    public EpochOrder(int size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        this.size = size;
        this.seed = seed;
    }

    /** A permutation of 0..size-1 for {@code epoch} (0-based): a Fisher-Yates shuffle. */
    public int[] permutation(int epoch) {
        // SplittableRandom mixes its seed, so nearby (seed, epoch) pairs give unrelated streams.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
