package dev.finetune.trainer.train;

import java.util.Map;

/** What {@link Trainer#train} returns: as transformers' TrainOutput, plus whether early stopping ended it. */
public record TrainResult(long globalStep, double trainingLoss, Map<String, Double> metrics, boolean stoppedEarly) {}
