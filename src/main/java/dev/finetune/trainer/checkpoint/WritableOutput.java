package dev.finetune.trainer.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checked before any download or training: the output folder exists (created if not) and a file can really be
 * written in it. A probe file is written and removed, since {@code Files.isWritable} (access(2)) says yes to root on a
 * folder it cannot write through a volume's permissions, and says nothing about a full or read-only volume.
 */
public final class WritableOutput {
    private static final String PROBE = ".write-check-";

    private WritableOutput() {}

    /**
     * @param hint appended to the message, e.g. where the folder comes from in a pod; empty for none
     * @throws StorageException naming the folder and the cause
     */
    public static void check(Path folder, String hint) throws StorageException {
        Path dir = folder.toAbsolutePath();
        // The check leaves no trace: folders it had to create go again (the run creates them when it saves), so a
        // run that fails before training for another reason leaves no empty output behind.
        Path firstCreated = dir;
        while (firstCreated.getParent() != null && !Files.exists(firstCreated.getParent())) {
            firstCreated = firstCreated.getParent();
        }
        boolean existed = Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("output folder " + dir + " cannot be created: " + cause(e) + hint);
        }
        if (!Files.isDirectory(dir)) {
            throw new StorageException("output folder " + dir + " cannot be created: it is a file" + hint);
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, PROBE, ".tmp");
            try (OutputStream out = Files.newOutputStream(probe)) {
                out.write(0);
            }
        } catch (IOException e) {
            throw new StorageException("output folder " + dir + " is not writable: " + cause(e) + hint);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // A leftover probe of one byte does no harm; the write worked.
                }
            }
            if (!existed) {
                removeCreated(dir, firstCreated);
            }
        }
    }

    /** Deletes the empty folders from dir up to top, which the check created. */
    private static void removeCreated(Path dir, Path top) {
        for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty or not ours to delete: leave it
            }
        }
    }

    /** The reason in a few words: the JDK's FileSystemException messages repeat the path. */
    private static String cause(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            return (e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : "a path above it")
                    + " is a file, not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            String reason = f.getReason();
            if (reason.equals("Not a directory")) {
                return "a path above it is a file, not a folder";
            }
            return reason.substring(0, 1).toLowerCase() + reason.substring(1);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
