package dev.finetune.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;

/**
 * The training split as the loop reads it. Batch {@code index} of epoch {@code epoch} must be a pure
 * function of (seed, epoch, index) — the order reshuffled per epoch as the Trainer's RandomSampler — so
 * that a resumed run reads exactly the batches the interrupted one would have. The methods are those of
 * {@code dev.finetune.trainer.data.TrainBatches}, which fits as is.
 */
public interface TrainBatchSource {
    /** Rows in the split ("Num examples" in the start-up log). */
    int rowCount();

    /** Batches per epoch, the last one possibly smaller: ceil(rowCount / batch size). */
    int batchesPerEpoch();

    /** The batch at {@code index} (0-based) of {@code epoch} (0-based), its arrays created in {@code manager}. */
    Batch batch(int epoch, int index, NDManager manager);
}
