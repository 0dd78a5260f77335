package dev.finetune.trainer.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Hooks into the training loop, as transformers' TrainerCallback: metrics, /progress and checkpoints
 * listen here instead of the loop knowing about them.
 */
public interface TrainerCallback {
    default void onTrainBegin(TrainerState state) {}

    /** After each optimiser step (global_step already incremented). */
    default void onStepEnd(TrainerState state) {}

    /** Every loggingSteps: keys as the Trainer logs them (loss, learning_rate, grad_norm, epoch). */
    default void onLog(TrainerState state, Map<String, Double> logs) {}

    /** After an evaluation: keys eval_loss, eval_accuracy, eval_f1, ... */
    default void onEvaluate(TrainerState state, Map<String, Double> metrics) {}

    /** After a checkpoint folder was written and renamed into place. */
    default void onSave(TrainerState state, Path checkpoint) {}

    default void onTrainEnd(TrainerState state) {}
}
