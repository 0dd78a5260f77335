package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.trainer.checkpoint.StorageException;
import dev.finetune.trainer.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** A diverged run and a storage problem are exit 2; a storage problem and shows its own message, also behind the loop's wrapper of a failed save. */
class ExitCodesTest {
    @Test
    void aFullVolumeBehindAFailedSaveIsNotRetried() {
        StorageException full = new StorageException("checkpoint-500 needs 1.3 GB, /workspace/job has 0.4 GB free; ...");
        UncheckedIOException wrapped = new UncheckedIOException("saving the checkpoint at step 500 failed", full);

        assertEquals(ExitCodes.INVALID, ExitCodes.of(wrapped));
        assertTrue(ExitCodes.isUserError(wrapped), "no stack trace");
        assertEquals(full.getMessage(), ExitCodes.message(wrapped));
        assertEquals(ExitCodes.FAILED, ExitCodes.of(new UncheckedIOException("disk error", new IOException("EIO"))));
    }

    @Test
    void aVolumeThatFillsDuringASaveIsNotRetriedEither() {
        UncheckedIOException wrapped = new UncheckedIOException("saving the checkpoint at step 500 failed",
                new FileSystemException("/workspace/job/tmp-checkpoint-500-1f/optimizer.safetensors: No space left on device"));

        assertEquals(ExitCodes.INVALID, ExitCodes.of(wrapped));
        assertTrue(ExitCodes.isUserError(wrapped));
        assertEquals("saving the checkpoint at step 500 failed: /workspace/job/tmp-checkpoint-500-1f/optimizer.safetensors:"
                + " No space left on device", ExitCodes.message(wrapped));
    }

    @Test
    void aDivergedRunIsNotRetriedAndPrintsNoStackTrace() {
        TrainingDivergedException diverged = new TrainingDivergedException("loss became NaN at step 3; ...");
        assertEquals(ExitCodes.INVALID, ExitCodes.of(diverged));
        assertTrue(ExitCodes.isUserError(diverged));
    }
}
