package dev.finetune.cli;

import dev.finetune.api.ManifestReader.ManifestException;
import dev.finetune.operator.TrainingJobDependent;
import dev.finetune.trainer.TrainingDevice;
import dev.finetune.trainer.checkpoint.IncompatibleCheckpointException;
import dev.finetune.trainer.data.DataException;
import dev.finetune.trainer.source.SourceException;
import dev.finetune.trainer.train.TrainingStopped;

/**
 * The process exit codes the operator acts on (SPEC.md "How a job flows"): 2 is a bad spec or bad data and
 * is not retried; anything else non-zero is retried and resumes from the latest checkpoint. 143 (128 + SIGTERM, the
 * code the JVM itself exits with on that signal) is a run stopped by a termination signal after saving a checkpoint.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    static final int STOPPED = 143;
    /** Out of Java heap, host or GPU memory: the same settings fail the same way, so the Job fails at once on it. */
    static final int OUT_OF_MEMORY = TrainingJobDependent.EXIT_OUT_OF_MEMORY;

    private ExitCodes() {}

    static int of(Throwable error) {
        if (error instanceof TrainingStopped) {
            return STOPPED;
        }
        if (OutOfMemory.explain(error).isPresent()) {
            return OUT_OF_MEMORY;
        }
        if (error instanceof SourceException source) {
            return source.exitCode();
        }
        if (error instanceof DataException || error instanceof ManifestException
                || error instanceof IncompatibleCheckpointException
                || error instanceof IllegalArgumentException) {
            return INVALID;
        }
        return FAILED;
    }

    /** Errors the user can fix from the message alone: no stack trace for them. */
    static boolean isUserError(Throwable error) {
        return of(error) == INVALID || of(error) == OUT_OF_MEMORY || error instanceof SourceException || error instanceof TrainingDevice.NoGpuException;
    }
}
