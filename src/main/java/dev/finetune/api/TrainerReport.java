package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of the trainer's GET /progress and of its termination message: the contract between the
 * training pod and the operator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainerReport {
    /** Starting, Downloading, Tokenizing, Training, Saving, Done, Failed, or Stopped (by SIGTERM, after a checkpoint). */
    public String stage;
    public String message;
    public Progress progress;
    public TrainingMetrics metrics;
    public CheckpointInfo checkpoints;
    /** The Hub commits the model and dataset were pinned to at the first start. */
    public ResolvedSources sources;
}
