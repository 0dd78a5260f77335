package dev.finetune.trainer.source;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local file of each requested split, in a format the data readers know (JSONL, CSV or TSV; Parquet has
 * already been converted to JSONL). The map keeps the order train split, eval split.
 */
public record DatasetFiles(Map<String, Path> splits) {

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
