package dev.finetune.cli;

import dev.finetune.api.ManifestReader.ManifestException;
import dev.finetune.operator.TrainingJobDependent;
import dev.finetune.trainer.TrainingDevice;
import dev.finetune.trainer.checkpoint.IncompatibleCheckpointException;
import dev.finetune.trainer.checkpoint.StorageException;
import dev.finetune.trainer.data.DataException;
import dev.finetune.trainer.source.SourceException;
import dev.finetune.trainer.train.TrainingStopped;
import java.io.IOException;

/**
 * The process exit codes the operator acts on (SPEC.md "How a job flows"): 2 is a bad spec or bad data, or an
 * output volume that cannot take the run (not writable, no room for the next checkpoint), and is not retried;
 * anything else non-zero is retried and resumes from the latest checkpoint. 143 (128 + SIGTERM, the
 * code the JVM itself exits with on that signal) is a run stopped by a termination signal after saving a checkpoint.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    static final int STOPPED = 143;
    /** EX_TEMPFAIL: something out of reach for now (the Hub, the cluster's API server); trying again later can work. */
    static final int UNAVAILABLE = SourceException.TRANSIENT;
    /** Out of Java heap, host or GPU memory: the same settings fail the same way, so the Job fails at once on it. */
    static final int OUT_OF_MEMORY = TrainingJobDependent.EXIT_OUT_OF_MEMORY;

    private ExitCodes() {}

    static int of(Throwable error) {
        if (error instanceof TrainingStopped) {
            return STOPPED;
        }
        if (storageProblem(error) != null || noSpaceLeft(error) != null) {
            return INVALID;
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

    /**
     * The {@link StorageException} behind {@code error}, or null: the loop wraps a failed save in an
     * UncheckedIOException, whose own message ("saving the checkpoint at step N failed") says less.
     */
    static StorageException storageProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StorageException storage) {
                return storage;
            }
        }
        return null;
    }

    /**
     * The ENOSPC behind {@code error}, or null: the volume filled up during a save in spite of the check before it
     * (another job writing to the same claim, say). Retrying on the same full volume cannot help either.
     */
    static IOException noSpaceLeft(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException io && io.getMessage() != null && io.getMessage().contains("No space left on device")) {
                return io;
            }
        }
        return null;
    }

    /** The one line to show for {@code error}: a storage problem's own message where one is behind it. */
    static String message(Throwable error) {
        StorageException storage = storageProblem(error);
        Throwable shown = storage != null ? storage : error;
        String message = shown.getMessage() == null ? shown.toString() : shown.getMessage();
        IOException full = storage == null ? noSpaceLeft(error) : null;
        return full == null || full == error ? message : message + ": " + full.getMessage();
    }

    /** Errors the user can fix from the message alone: no stack trace for them. */
    static boolean isUserError(Throwable error) {
        return of(error) == INVALID || of(error) == OUT_OF_MEMORY || error instanceof SourceException || error instanceof TrainingDevice.NoGpuException;
    }
}
