package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Free space against what a save will write, checked before each save: a full volume would otherwise fail the save
 * half-way with exit 1, and every retry on the same volume the same way. A save that cannot fit ends the run with a
 * {@link StorageException} (exit 2, not retried) that gives the sizes. At start, {@link #warnAtStart} says when the
 * checkpoints the run will keep cannot fit.
 *
 * <p>A checkpoint's size is the model's weights, AdamW's two moments (each as large as the weights) and the tokenizer
 * files; once a checkpoint exists in the output folder, its measured size counts where it is larger.
 */
public final class DiskSpaceCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpaceCheck.class);
    /** The JSON files (trainer state, scheduler, args) and the safetensors headers, with room to spare. */
    static final long SMALL_FILES = 1L << 20;

    /** Usable bytes on the file system of a folder; FileStore.getUsableSpace on a real volume. */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes(Path folder) throws IOException;
    }

    public static final FreeSpace FILE_STORE = folder -> Files.getFileStore(folder).getUsableSpace();

    private final Path output;
    private final long checkpointBytes;
    private final long finalBytes;
    private final FreeSpace freeSpace;

    /**
     * @param checkpointBytes the expected size of one checkpoint-N folder
     * @param finalBytes the expected size of final/ (weights and tokenizer files, no moments)
     */
    public DiskSpaceCheck(Path output, long checkpointBytes, long finalBytes, FreeSpace freeSpace) {
        this.output = output.toAbsolutePath();
        this.checkpointBytes = checkpointBytes;
        this.finalBytes = finalBytes;
        this.freeSpace = freeSpace;
    }

    /** The sizes of {@code model}'s checkpoints from its parameters' counts and dtypes, and the tokenizer files. */
    public static DiskSpaceCheck forModel(Path output, PretrainedModel model, Path tokenizerDir,
            FreeSpace freeSpace) throws IOException {
        long weights = 0;
        for (NDArray parameter : model.namedParameters().values()) {
            weights += parameter.size() * parameter.getDataType().getNumOfBytes();
        }
        long tokenizer = 0;
        if (tokenizerDir != null) {
            for (String name : CheckpointLayout.TOKENIZER_FILES) {
                Path file = tokenizerDir.resolve(name);
                if (Files.isRegularFile(file)) {
                    tokenizer += Files.size(file);
                }
            }
        }
        return new DiskSpaceCheck(output, 3 * weights + tokenizer + SMALL_FILES, weights + tokenizer + SMALL_FILES, freeSpace);
    }

    /** The size a checkpoint is expected to take: the estimate, or the newest one on disk where that is larger. */
    public long checkpointBytes() throws IOException {
        List<Path> existing = Files.isDirectory(output) ? CheckpointReader.completeCheckpoints(output) : List.of();
        long measured = existing.isEmpty() ? 0 : folderSize(existing.get(existing.size() - 1));
        return Math.max(checkpointBytes, measured);
    }

    long finalBytes() {
        return finalBytes;
    }

    /** Before writing {@code checkpoint-<step>}: it is written in full before saveTotalLimit deletes an older one. */
    void beforeCheckpoint(Path destination, TrainingSpec spec) throws IOException {
        long needed = checkpointBytes();
        long free = free();
        if (free < needed) {
            throw new StorageException(destination.getFileName() + " needs " + size(needed) + ", " + output + " has "
                    + size(free) + " free; raise spec.storage.size or " + lowerLimit(spec)
                    + " (each checkpoint takes " + size(needed) + ")");
        }
    }

    /** Before writing final/. */
    void beforeFinal(Path destination) throws IOException {
        long free = free();
        if (free < finalBytes) {
            throw new StorageException(destination.getFileName() + "/ needs " + size(finalBytes) + ", " + output + " has "
                    + size(free) + " free; raise spec.storage.size or delete old checkpoints from " + output);
        }
    }

    /**
     * Logs a warning, and returns it, when the checkpoints the run keeps at its peak do not fit: saveTotalLimit of them
     * plus the one being written before rotation deletes the oldest (every save point's when saveTotalLimit is unset),
     * plus final/. The checkpoints and final/ already in the output folder count as space the run has.
     *
     * @param savePoints how many checkpoints the whole run writes (resumed ones included)
     */
    public Optional<String> warnAtStart(TrainingSpec spec, long savePoints) throws IOException {
        long kept = spec.saveTotalLimit == null || spec.saveTotalLimit < 1 ? savePoints
                : Math.min(savePoints, Math.max(spec.saveTotalLimit, 2) + 1L);
        long each = checkpointBytes();
        long needed = kept * each + finalBytes;
        long present = Files.isDirectory(output) ? presentBytes() : 0;
        long free = free();
        if (free + present >= needed) {
            return Optional.empty();
        }
        String warning = String.format(Locale.ROOT, "The %d checkpoints this run keeps (%s each) and final/ need %s,"
                        + " %s has %s free%s: the run will stop at the save that does not fit; raise spec.storage.size or %s",
                kept, size(each), size(needed), output, size(free), present > 0 ? " besides the " + size(present) + " it holds" : "",
                lowerLimit(spec));
        LOG.warn(warning);
        return Optional.of(warning);
    }

    /** Checkpoints a run of {@code maxSteps} writes, as the loop decides them (each save point, and the last step). */
    public static long savePoints(TrainingSpec spec, long maxSteps, int numEpochs) {
        if ("no".equals(spec.saveStrategy)) {
            return 0;
        }
        if ("epoch".equals(spec.saveStrategy)) {
            return numEpochs;
        }
        long every = spec.saveSteps == null || spec.saveSteps < 1 ? maxSteps : spec.saveSteps;
        return (maxSteps + every - 1) / every;
    }

    private static String lowerLimit(TrainingSpec spec) {
        return spec.saveTotalLimit == null ? "set spec.training.saveTotalLimit (unset keeps every checkpoint)"
                : "lower spec.training.saveTotalLimit (now " + spec.saveTotalLimit + ")";
    }

    private long free() throws IOException {
        Path existing = output;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return freeSpace.usableBytes(existing == null ? output : existing);
    }

    private long presentBytes() throws IOException {
        long bytes = 0;
        for (Path checkpoint : CheckpointReader.completeCheckpoints(output)) {
            bytes += folderSize(checkpoint);
        }
        Path finalDir = CheckpointLayout.finalFolder(output);
        return bytes + (Files.isDirectory(finalDir) ? folderSize(finalDir) : 0);
    }

    private static long folderSize(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            long total = 0;
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    /** Decimal units, as df -H and the Hub show them: 1.3 GB, 0.4 GB, 12.5 MB. */
    static String size(long bytes) {
        if (bytes >= 100_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 100_000L) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }
}
