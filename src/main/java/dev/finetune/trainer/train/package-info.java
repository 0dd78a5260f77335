/**
 * The training loop with the Hugging Face Trainer's semantics.
 *
 * <ul>
 *   <li>{@link dev.finetune.trainer.train.Trainer}: the loop (steps, accumulation, strategies, logs, resume).</li>
 *   <li>{@link dev.finetune.trainer.train.AdamW} and {@link dev.finetune.trainer.train.CpuAdamWKernel}: the
 *       optimiser with state it owns; {@link dev.finetune.trainer.train.LearningRateSchedule};
 *       {@link dev.finetune.trainer.train.GradientClipper}; {@link dev.finetune.trainer.train.CrossEntropy}.</li>
 *   <li>{@link dev.finetune.trainer.train.TrainingSteps}: how many steps and epochs, as the Trainer counts.</li>
 *   <li>{@link dev.finetune.trainer.train.Evaluator}, {@link dev.finetune.trainer.train.ClassificationMetrics}:
 *       evaluation and prediction; {@link dev.finetune.trainer.train.TaskObjective}: each task's loss and metrics
 *       ({@link dev.finetune.trainer.train.TokenClassificationObjective} with
 *       {@link dev.finetune.trainer.train.EntityMetrics}, seqeval's entity scores, for token classification).</li>
 *   <li>{@link dev.finetune.trainer.train.BestMetricTracker}: best_metric and early stopping.</li>
 *   <li>{@link dev.finetune.trainer.train.ResumePoint}, {@link dev.finetune.trainer.train.TrainingSnapshot},
 *       {@link dev.finetune.trainer.train.CheckpointSaver}: what a checkpoint saves and how it plugs in.</li>
 *   <li>{@link dev.finetune.trainer.train.SequenceClassifier}, {@link dev.finetune.trainer.train.TrainBatchSource},
 *       {@link dev.finetune.trainer.train.EvalBatchSource}: what the loop needs from the model and the data.</li>
 *   <li>{@link dev.finetune.trainer.train.TrainerLogFormat}: the Trainer's Python-style log lines.</li>
 * </ul>
 */
package dev.finetune.trainer.train;
