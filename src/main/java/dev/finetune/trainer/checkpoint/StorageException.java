package dev.finetune.trainer.checkpoint;

import java.io.IOException;

/**
 * The output folder cannot take what the run must write: it cannot be created or written, or the volume has no room
 * for the next checkpoint. Retrying the same pod on the same volume cannot help, so the trainer exits with 2 (the Job's
 * pod failure policy fails at once); the message names the folder, the cause and, for a full volume, the sizes.
 */
public final class StorageException extends IOException {
    public StorageException(String message) {
        super(message);
    }
}
