package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder is created and written once before anything else; what stops it is named in one line. */
class WritableOutputTest {
    @TempDir
    Path tmp;

    @Test
    void checksAMissingFolderByCreatingItAndLeavesNoTrace() throws Exception {
        Path out = tmp.resolve("runs/job");

        WritableOutput.check(out, "");

        assertFalse(Files.exists(tmp.resolve("runs")), "the folders the check created are removed again");
        try (var entries = Files.list(tmp)) {
            assertEquals(0, entries.count(), "nothing left behind");
        }
    }

    @Test
    void anExistingFolderKeepsWhatItHoldsAndGetsNoProbeLeftBehind() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("runs/job"));
        Files.writeString(out.resolve("checkpoint-marker"), "x");

        WritableOutput.check(out, "");

        assertTrue(Files.isDirectory(out));
        try (var entries = Files.list(out)) {
            assertEquals(1, entries.count(), "the probe file is removed");
        }
    }

    @Test
    void aFileInTheWayOfTheFolderOrAboveItIsNamed() throws Exception {
        // Root-proof: no permission bit is involved, the path cannot be a folder for anyone.
        Path file = Files.writeString(tmp.resolve("workspace"), "not a folder");

        StorageException below = assertThrows(StorageException.class, () -> WritableOutput.check(file.resolve("job"), " (hint)"));
        assertEquals("output folder " + file.resolve("job") + " cannot be created: a path above it is a file, not a folder (hint)",
                below.getMessage());

        StorageException itself = assertThrows(StorageException.class, () -> WritableOutput.check(file, ""));
        assertEquals("output folder " + file + " cannot be created: " + file + " is a file, not a folder", itself.getMessage());
    }

    @Test
    void aFolderWithoutWritePermissionIsNotWritable() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes through permission bits");
        Path out = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertFalse(Files.isWritable(out));
            StorageException e = assertThrows(StorageException.class, () -> WritableOutput.check(out, ""));
            assertEquals("output folder " + out + " is not writable: permission denied", e.getMessage());
        } finally {
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
