package dev.finetune.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;

/** An evaluation or prediction split, in file order. Labels are -1 where the data has none. */
public interface EvalData {
    int numExamples();

    int numBatches();

    /** The batch at {@code index} (0-based), its arrays created in {@code manager}. */
    Batch batch(int index, NDManager manager);
}
