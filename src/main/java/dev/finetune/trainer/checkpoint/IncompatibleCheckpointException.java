package dev.finetune.trainer.checkpoint;

/**
 * A checkpoint in the output folder that this job cannot continue from (another architecture or shape, another
 * number of labels, another batch size, seed or dataset). Retrying cannot fix it, so the trainer exits with
 * {@link #EXIT_CODE}; the message names the checkpoint, the setting and how to start over.
 */
public class IncompatibleCheckpointException extends RuntimeException {
    /** Exit code for invalid config or data (SPEC.md, "How a job flows"). */
    public static final int EXIT_CODE = 2;

    public IncompatibleCheckpointException(String message) {
        super(message);
    }

    public IncompatibleCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    public int exitCode() {
        return EXIT_CODE;
    }
}
