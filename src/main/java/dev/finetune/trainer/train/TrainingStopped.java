package dev.finetune.trainer.train;

import java.nio.file.Path;

/**
 * The loop stopped on a {@link StopRequest} after finishing step {@link #globalStep()} and saving it: not a failure of
 * the job, but the run is not done either, so the caller exits with a code that the Job retries, and the retry resumes
 * from {@link #checkpoint()}.
 */
public final class TrainingStopped extends RuntimeException {
    private final long globalStep;
    private final transient Path checkpoint;

    public TrainingStopped(long globalStep, Path checkpoint) {
        super("stopped on request after step " + globalStep + (checkpoint == null ? " without a checkpoint (no saver)"
                : ", saved " + checkpoint.getFileName() + "; a restart resumes from it"));
        this.globalStep = globalStep;
        this.checkpoint = checkpoint;
    }

    public long globalStep() {
        return globalStep;
    }

    /** The checkpoint written at the stop, or null when the trainer had no saver. */
    public Path checkpoint() {
        return checkpoint;
    }
}
