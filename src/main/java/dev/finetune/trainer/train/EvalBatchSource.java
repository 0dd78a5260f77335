package dev.finetune.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;

/**
 * An evaluation or prediction split, in file order. Labels are -1 where the data has none. The methods
 * are those of {@code dev.finetune.trainer.data.EvalBatches}, which fits as is.
 */
public interface EvalBatchSource {
    int rowCount();

    int batchCount();

    /** The batch at {@code index} (0-based), its arrays created in {@code manager}. */
    Batch batch(int index, NDManager manager);
}
