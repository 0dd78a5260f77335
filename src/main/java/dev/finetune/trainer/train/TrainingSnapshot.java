package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Everything a checkpoint holds besides the model weights, and everything {@link Trainer#train} needs to
 * continue from one: the Trainer's state (trainer_state.json), the loop position, and AdamW's moments
 * ({@link AdamW#state()} names; its step count is {@code point.globalStep}). When the trainer hands one to a
 * {@link CheckpointSaver}, the arrays are the live ones: write them before returning.
 */
public record TrainingSnapshot(TrainerState state, ResumePoint point, Map<String, NDArray> optimizerState) {}
