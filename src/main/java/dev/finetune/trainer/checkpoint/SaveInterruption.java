package dev.finetune.trainer.checkpoint;

import java.nio.file.Path;

/**
 * Called at each point of a save where a crash could strike (after each file, after each fsync and rename), so
 * that tests can stop a save there. Production code passes {@link #NONE}.
 */
@FunctionalInterface
interface SaveInterruption {
    SaveInterruption NONE = (point, path) -> {};

    /** {@code point} says what was just done ("wrote", "synced", "renamed", ...); {@code path} what it was done to. */
    void reached(String point, Path path);
}
