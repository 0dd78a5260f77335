package dev.finetune.trainer.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.TrainingSpec;

/**
 * Where the loop stands between two optimiser steps, with everything besides weights, optimiser moments
 * and {@link TrainerState} that an exact resume needs. The learning-rate schedule, the optimiser's step
 * count and the dropout seeds are functions of {@code globalStep}; the batch order is a function of
 * (seed, epoch). Serialised as JSON (Jackson) next to trainer_state.json.
 */
public class ResumePoint {
    /** Optimiser updates done: also the schedule position and AdamW's step count. */
    @JsonProperty("global_step")
    public long globalStep;

    /** The epoch (0-based) the next micro-batch belongs to. */
    @JsonProperty("epoch")
    public int epoch;

    /** Index of the next micro-batch in that epoch's order; always at an accumulation boundary. */
    @JsonProperty("batch_in_epoch")
    public int batchInEpoch;

    /** Sum of the per-update losses so far, for the final train_loss. */
    @JsonProperty("train_loss_sum")
    public double trainLossSum;

    /** Sum of the per-update losses since the last log line, and that line's step. */
    @JsonProperty("loss_since_last_log")
    public double lossSinceLastLog;

    @JsonProperty("last_logged_step")
    public long lastLoggedStep;

    /** What fixes the batch order and the window layout; a resume with other values is refused. */
    @JsonProperty("seed")
    public long seed;

    @JsonProperty("train_batch_size")
    public int trainBatchSize;

    @JsonProperty("gradient_accumulation_steps")
    public int gradientAccumulationSteps;

    @JsonProperty("batches_per_epoch")
    public int batchesPerEpoch;

    /** AdamW's updates, when fp16 skipped some (absent in older checkpoints: then globalStep). */
    @JsonProperty("optimizer_steps")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Long optimizerSteps;

    /** fp16's loss scale and its count of good steps since the last change (torch's scaler.pt). */
    @JsonProperty("loss_scale")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double lossScale;

    @JsonProperty("loss_scale_good_steps")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Integer lossScaleGoodSteps;

    /** The start of a fresh run. */
    public static ResumePoint start(TrainingSpec spec, TrainingSteps steps) {
        ResumePoint p = new ResumePoint();
        p.seed = spec.seed;
        p.trainBatchSize = spec.perDeviceTrainBatchSize;
        p.gradientAccumulationSteps = steps.accumulation();
        p.batchesPerEpoch = steps.batchesPerEpoch();
        return p;
    }

    public ResumePoint copy() {
        ResumePoint p = new ResumePoint();
        p.globalStep = globalStep;
        p.epoch = epoch;
        p.batchInEpoch = batchInEpoch;
        p.trainLossSum = trainLossSum;
        p.lossSinceLastLog = lossSinceLastLog;
        p.lastLoggedStep = lastLoggedStep;
        p.seed = seed;
        p.trainBatchSize = trainBatchSize;
        p.gradientAccumulationSteps = gradientAccumulationSteps;
        p.batchesPerEpoch = batchesPerEpoch;
        p.optimizerSteps = optimizerSteps;
        p.lossScale = lossScale;
        p.lossScaleGoodSteps = lossScaleGoodSteps;
        return p;
    }

    /** Throws, naming the setting, when this point cannot continue under {@code spec} and {@code steps}. */
    public void checkResumable(TrainingSpec spec, TrainingSteps steps) {
        require("spec.training.seed", seed, spec.seed);
        require("spec.training.perDeviceTrainBatchSize",
                trainBatchSize, spec.perDeviceTrainBatchSize);
        require("spec.training.gradientAccumulationSteps",
                gradientAccumulationSteps, steps.accumulation());
        if (batchesPerEpoch != steps.batchesPerEpoch()) {
            throw new IllegalArgumentException("cannot resume: the checkpoint was trained on " + batchesPerEpoch
                    + " batches per epoch, the training data now has " + steps.batchesPerEpoch()
                    + " (the dataset changed)");
        }
        if (batchInEpoch % gradientAccumulationSteps != 0 || batchInEpoch > batchesPerEpoch || epoch < 0
                || globalStep < 0) {
            throw new IllegalArgumentException("cannot resume: inconsistent position (epoch " + epoch
                    + ", batch " + batchInEpoch + ", step " + globalStep + ")");
        }
    }

    private static void require(String field, long savedValue, long now) {
        if (savedValue != now) {
            throw new IllegalArgumentException("cannot resume: the checkpoint was trained with " + field + " = "
                    + savedValue + ", the job now says " + now);
        }
    }
}
