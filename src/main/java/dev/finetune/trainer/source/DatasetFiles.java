package dev.finetune.trainer.source;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dataset made local, in the shape the data readers take: {@code location} is a folder holding one file per
 * split named after it ({@code train.jsonl}, {@code validation.csv}) or, for a train split alone, that one file;
 * {@code format} is what to read them as (Parquet has been converted, so it is {@code jsonl} then; otherwise the
 * spec's own format, {@code auto} included). Hand both to the data side in place of the URI and spec format,
 * e.g. {@code TrainingData.load(files.location(), sourceWithFormat(files.format()), task, modelDir)}.
 *
 * @param splits each requested split's file (train split first), for logs and direct use
 */
public record DatasetFiles(Path location, String format, Map<String, Path> splits) {

    public DatasetFiles {
        splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }

    /** The file of {@code split}; an error names the splits there are. */
    public Path file(String split) {
        Path file = splits.get(split);
        if (file == null) {
            throw new IllegalArgumentException("no split '" + split + "' (have " + splits.keySet() + ")");
        }
        return file;
    }

    public boolean has(String split) {
        return splits.containsKey(split);
    }
}
