package dev.finetune.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * saveTotalLimit as transformers' {@code _sorted_checkpoints} and {@code _rotate_checkpoints}: checkpoints are
 * ordered by step, the best one is moved to the second-newest place, and the oldest are deleted until
 * saveTotalLimit remain. So the newest and the best always survive, and the limit counts the best; with a limit of
 * 1 and a best that is not the newest, two are kept (the newest is needed to resume).
 */
final class CheckpointRetention {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRetention.class);

    private final Integer saveTotalLimit;

    /** {@code saveTotalLimit} null or below 1 keeps everything. */
    CheckpointRetention(Integer saveTotalLimit) {
        this.saveTotalLimit = saveTotalLimit;
    }

    /** The {@code checkpoint-<step>} folders of {@code output} by step, the best moved to second-newest. */
    static List<Path> sortedCheckpoints(Path output, String bestModelCheckpoint) throws IOException {
        List<Path> sorted;
        try (Stream<Path> list = Files.list(output)) {
            sorted = list.filter(Files::isDirectory)
                    .filter(p -> CheckpointLayout.stepOf(p).isPresent())
                    .sorted(Comparator.comparingLong(p -> CheckpointLayout.stepOf(p).getAsLong()))
                    .collect(Collectors.toCollection(ArrayList::new));
        }
        int best = indexOfBest(sorted, bestModelCheckpoint);
        for (int i = best; best >= 0 && i < sorted.size() - 2; i++) {
            Path swap = sorted.get(i);
            sorted.set(i, sorted.get(i + 1));
            sorted.set(i + 1, swap);
        }
        return sorted;
    }

    /** The checkpoints this rule deletes now, oldest first. */
    List<Path> toDelete(Path output, String bestModelCheckpoint) throws IOException {
        if (saveTotalLimit == null || saveTotalLimit < 1) {
            return List.of();
        }
        List<Path> sorted = sortedCheckpoints(output, bestModelCheckpoint);
        if (sorted.size() <= saveTotalLimit) {
            return List.of();
        }
        int limit = saveTotalLimit;
        if (limit == 1 && bestModelCheckpoint != null && indexOfBest(sorted, bestModelCheckpoint) != sorted.size() - 1) {
            limit = 2;
        }
        return sorted.subList(0, Math.max(0, sorted.size() - limit));
    }

    /** Deletes what {@link #toDelete} names, each atomically (see {@link AtomicFolder#delete}). */
    void rotate(Path output, String bestModelCheckpoint) throws IOException {
        for (Path folder : toDelete(output, bestModelCheckpoint)) {
            LOG.info("Deleting older checkpoint [{}] due to args.save_total_limit", folder);
            AtomicFolder.delete(folder);
        }
    }

    /** Matched by folder name, so that a relative and an absolute output path agree. */
    private static int indexOfBest(List<Path> sorted, String bestModelCheckpoint) {
        if (bestModelCheckpoint == null) {
            return -1;
        }
        Path bestName = Path.of(bestModelCheckpoint).getFileName();
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).getFileName().equals(bestName)) {
                return i;
            }
        }
        return -1;
    }
}
