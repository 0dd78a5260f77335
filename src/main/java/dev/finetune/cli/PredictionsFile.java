package dev.finetune.cli;

import dev.finetune.trainer.checkpoint.StorageException;
import dev.finetune.trainer.checkpoint.WritableOutput;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file of predict's {@code --output}: its folder is checked before the model is loaded, the rows are written
 * beside it and moved into place at the end, so that a run that fails leaves no half-written predictions.
 */
final class PredictionsFile {
    private final Path target;
    private final Path partial;
    private Writer writer;
    private boolean committed;

    private PredictionsFile(Path target, Path partial) {
        this.target = target;
        this.partial = partial;
    }

    /** @throws StorageException (exit 2) naming the flag when the folder cannot be made or written */
    static PredictionsFile begin(Path output) throws IOException {
        Path target = output.toAbsolutePath();
        Path folder = target.getParent();
        try {
            WritableOutput.check(folder, "");
            Files.createDirectories(folder);
            return new PredictionsFile(target, Files.createTempFile(folder, "." + target.getFileName() + ".", ".partial"));
        } catch (StorageException e) {
            throw new StorageException("--output " + output + ": " + e.getMessage());
        } catch (IOException e) {
            throw new StorageException("--output " + output + " cannot be written: " + e.getMessage());
        }
    }

    Writer writer() throws IOException {
        writer = Files.newBufferedWriter(partial);
        return writer;
    }

    void commit() throws IOException {
        writer.close();
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Removes the partial file unless {@link #commit} moved it into place. */
    void abandon() {
        if (!committed) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover hidden .partial file does no harm; the next run writes its own
            }
        }
    }
}
