package dev.finetune.trainer.data;

import dev.finetune.api.DatasetSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the file of a split in a local dataset: a folder holds one file per split named after it
 * ({@code train.jsonl}, {@code validation.csv}, ...); a single file is the train split.
 */
public final class DatasetSplits {
    private DatasetSplits() {}

    /** The file of {@code spec.dataset.trainSplit} under {@code location} (a folder or a file). */
    public static Path trainFile(Path location, DatasetSource source) {
        String split = blankToNull(source.trainSplit);
        if (Files.isRegularFile(location)) {
            return location;
        }
        return splitFile(location, split == null ? "train" : split, source.format, "spec.dataset.trainSplit");
    }

    /** The file of {@code spec.dataset.evalSplit}, or empty when no eval split is set. */
    public static Optional<Path> evalFile(Path location, DatasetSource source) {
        String split = blankToNull(source.evalSplit);
        if (split == null) {
            return Optional.empty();
        }
        if (Files.isRegularFile(location)) {
            throw DataException.inFile(location, "spec.dataset.evalSplit '" + split
                    + "': a single file holds only the train split; give a folder with one file per split");
        }
        return Optional.of(splitFile(location, split, source.format, "spec.dataset.evalSplit"));
    }

    private static Path splitFile(Path folder, String split, String format, String field) {
        if (!Files.isDirectory(folder)) {
            throw DataException.inFile(folder, "no such file or folder");
        }
        List<Path> candidates = new ArrayList<>();
        boolean auto = format == null || format.isBlank() || format.equalsIgnoreCase("auto");
        for (DataFormat f : DataFormat.values()) {
            if (auto || f.extension().equalsIgnoreCase(format.trim())) {
                // train.json is JSON lines too, as the Hugging Face json loader reads it
                for (String extension : f == DataFormat.JSONL ? List.of("jsonl", "json") : List.of(f.extension())) {
                    Path file = folder.resolve(split + "." + extension);
                    if (Files.isRegularFile(file)) {
                        candidates.add(file);
                    }
                }
            }
        }
        if (candidates.size() > 1) {
            throw DataException.inFile(folder, field + " '" + split + "': several files match " + names(candidates)
                    + "; keep one or set spec.dataset.format");
        }
        if (candidates.isEmpty()) {
            throw DataException.inFile(folder, field + " '" + split + "': no file " + split + ".jsonl, "
                    + split + ".json, " + split + ".csv or " + split + ".tsv" + (auto ? "" : " of format " + format)
                    + " (found: " + listing(folder) + ")");
        }
        return candidates.get(0);
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList().toString();
    }

    private static String listing(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "an empty folder" : String.join(", ", names);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
