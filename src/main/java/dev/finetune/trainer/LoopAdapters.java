package dev.finetune.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.data.EvalBatches;
import dev.finetune.trainer.data.TrainBatches;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.train.EvalBatchSource;
import dev.finetune.trainer.train.SequenceClassifier;
import dev.finetune.trainer.train.TrainBatchSource;
import java.util.LinkedHashMap;

/**
 * The model and the batches as the training loop sees them: the loop defines small interfaces of its own
 * so that it depends on neither the model nor the data package, and these adapters join them.
 */
public final class LoopAdapters {
    private LoopAdapters() {}

    /** A model of either head: the loop sees only its logits, (B, numLabels) or (B, T, numLabels). */
    public static SequenceClassifier classifier(PretrainedModel model) {
        return new SequenceClassifier() {
            @Override
            public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
                return model.forward(inputIds, tokenTypeIds, attentionMask, training);
            }

            @Override
            public NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
                return model.forwardFloat16(inputIds, tokenTypeIds, attentionMask, training);
            }

            @Override
            public LinkedHashMap<String, NDArray> namedParameters() {
                return model.namedParameters();
            }
        };
    }

    public static TrainBatchSource trainSource(TrainBatches batches) {
        return new TrainBatchSource() {
            @Override
            public int rowCount() {
                return batches.rowCount();
            }

            @Override
            public int batchesPerEpoch() {
                return batches.batchesPerEpoch();
            }

            @Override
            public Batch batch(int epoch, int index, NDManager manager) {
                return batches.batch(epoch, index, manager);
            }
        };
    }

    public static EvalBatchSource evalSource(EvalBatches batches) {
        return new EvalBatchSource() {
            @Override
            public int rowCount() {
                return batches.rowCount();
            }

            @Override
            public int batchCount() {
                return batches.batchCount();
            }

            @Override
            public Batch batch(int index, NDManager manager) {
                return batches.batch(index, manager);
            }
        };
    }
}
