package dev.finetune.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder that appears complete or not at all: it is filled under a {@code tmp-<name>-<random>} name beside its
 * destination, every file and the folder are fsynced, then it is renamed into place (an atomic rename on one file
 * system) and the parent is fsynced so that the rename itself survives a power loss. A process killed at any point
 * leaves either no destination or the complete one, plus at most a {@code tmp-} folder that a resume removes.
 */
public final class AtomicFolder {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFolder.class);
    private static volatile boolean folderSyncWarned;

    private final Path destination;
    private final Path temporary;
    private final SaveInterruption interruption;

    private AtomicFolder(Path destination, Path temporary, SaveInterruption interruption) {
        this.destination = destination;
        this.temporary = temporary;
        this.interruption = interruption;
    }

    /** Creates the temporary folder beside {@code destination} (and the parent folders if needed). */
    public static AtomicFolder begin(Path destination) throws IOException {
        return begin(destination, SaveInterruption.NONE);
    }

    /** As {@link #begin(Path)}, telling {@code interruption} of each step (tests stop a save there). */
    static AtomicFolder begin(Path destination, SaveInterruption interruption) throws IOException {
        Path parent = destination.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = uniqueSibling(parent, destination.getFileName().toString());
        Files.createDirectory(temporary);
        return new AtomicFolder(destination, temporary, interruption);
    }

    /** Where to write the contents. */
    public Path path() {
        return temporary;
    }

    /**
     * Syncs and renames the folder into place. A destination that already exists (a folder from an earlier run) is
     * first renamed aside and removed after the new one is in place.
     */
    public Path commit() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(temporary)) {
            files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            fsync(file);
            interruption.reached("synced", file);
        }
        fsyncFolder(temporary);
        interruption.reached("synced", temporary);
        Path parent = temporary.getParent();
        Path replaced = null;
        if (Files.exists(destination)) {
            replaced = uniqueSibling(parent, destination.getFileName() + "-replaced");
            Files.move(destination, replaced, StandardCopyOption.ATOMIC_MOVE);
            interruption.reached("renamed", replaced);
        }
        Files.move(temporary, destination, StandardCopyOption.ATOMIC_MOVE);
        interruption.reached("renamed", destination);
        fsyncFolder(parent);
        interruption.reached("synced", parent);
        if (replaced != null) {
            deleteTree(replaced);
        }
        return destination;
    }

    /** Removes the temporary folder after a failed save; errors while removing are not worth hiding the first one. */
    public void abandon() {
        try {
            deleteTree(temporary);
        } catch (IOException | UncheckedIOException ignored) {
            // A resume removes what is left.
        }
    }

    /**
     * Removes {@code folder} so that it disappears at once: renamed to a {@code tmp-} name first, then deleted. A
     * process killed while deleting leaves a {@code tmp-} folder (removed on resume), never a half-deleted
     * checkpoint that looks like a real one.
     */
    static void delete(Path folder) throws IOException {
        Path parent = folder.toAbsolutePath().getParent();
        Path doomed = uniqueSibling(parent, folder.getFileName() + "-deleted");
        Files.move(folder, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }

    /** fsync(2) of a file or a folder (Linux allows it on a read-only descriptor, also for folders). */
    static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * fsync of a folder, which makes the names in it durable. A few network file systems refuse it (EINVAL); there a
     * warning says so once and the save goes on, as PostgreSQL does, since the rename is still atomic.
     */
    private static void fsyncFolder(Path folder) throws IOException {
        try {
            fsync(folder);
        } catch (IOException e) {
            if (!folderSyncWarned) {
                folderSyncWarned = true;
                LOG.warn("This file system cannot fsync the folder {} ({}); a power loss right after a save may lose it",
                        folder, e.getMessage());
            }
        }
    }

    private static Path uniqueSibling(Path parent, String name) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path candidate = parent.resolve(CheckpointLayout.TEMPORARY_PREFIX + name + "-" + suffix);
            if (!Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new FileAlreadyExistsException(parent.resolve(CheckpointLayout.TEMPORARY_PREFIX + name + "-*").toString());
    }
}
