package dev.finetune.trainer.train;

import dev.finetune.api.TrainingSpec;

/**
 * How the Hugging Face Trainer counts: updates per epoch = ceil(batches / gradientAccumulationSteps);
 * maxSteps = ceil(numTrainEpochs x updates per epoch) unless maxSteps > 0, which then sets the epochs.
 * MRPC: 3668 rows, batch 8 -> 459 batches -> 1377 steps over 3 epochs.
 */
public record TrainingSteps(int batchesPerEpoch, int accumulation, int updatesPerEpoch, long maxSteps, int numEpochs) {

    public static TrainingSteps of(TrainingSpec spec, int batchesPerEpoch) {
        if (batchesPerEpoch <= 0) {
            throw new IllegalArgumentException("the training data has no batches");
        }
        int accumulation = spec.gradientAccumulationSteps == null ? 1 : spec.gradientAccumulationSteps;
        if (accumulation < 1) {
            throw new IllegalArgumentException("spec.training.gradientAccumulationSteps must be >= 1");
        }
        int updatesPerEpoch = Math.max(1, (batchesPerEpoch + accumulation - 1) / accumulation);
        long maxSteps;
        int numEpochs;
        if (spec.maxSteps != null && spec.maxSteps > 0) {
            maxSteps = spec.maxSteps;
            numEpochs = (int) ((maxSteps + updatesPerEpoch - 1) / updatesPerEpoch);
        } else {
            double epochs = spec.numTrainEpochs == null ? 3.0 : spec.numTrainEpochs;
            if (!(epochs > 0)) {
                throw new IllegalArgumentException("spec.training.numTrainEpochs must be > 0 when maxSteps is not set");
            }
            maxSteps = (long) Math.ceil(epochs * updatesPerEpoch);
            numEpochs = (int) Math.ceil(epochs);
        }
        return new TrainingSteps(batchesPerEpoch, accumulation, updatesPerEpoch, maxSteps, numEpochs);
    }

    /** Micro-batches that make update {@code update} (0-based) of an epoch: the last one takes the remainder. */
    public int batchesInUpdate(int update) {
        int first = update * accumulation;
        return Math.min(accumulation, batchesPerEpoch - first);
    }

    /** The epoch's update that micro-batch {@code batch} belongs to. */
    public int updateOf(int batch) {
        return batch / accumulation;
    }
}
