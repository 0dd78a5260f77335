package dev.finetune.trainer.data;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSONL, CSV or TSV file into {@link Example}s, checking every row up front so that bad data
 * fails before training starts, with a {@link DataException} naming the file, line and field.
 */
public final class DatasetReader {
    private DatasetReader() {}

    /** Rows for training or evaluation: every row must have a valid label. */
    public static List<Example> read(Path file, DatasetSource source, TaskSpec task) {
        return read(file, source == null ? null : source.format, task);
    }

    /** Rows for training or evaluation; {@code format} as {@code DatasetSource.format} (null: auto). */
    public static List<Example> read(Path file, String format, TaskSpec task) {
        return read(file, format, new ExampleMapper(task, true));
    }

    /**
     * Rows for prediction: a file (or row) without the label column gets {@link Example#NO_LABEL};
     * a label that is there must still be valid.
     */
    public static List<Example> readForPrediction(Path file, String format, TaskSpec task) {
        return read(file, format, new ExampleMapper(task, false));
    }

    private static List<Example> read(Path file, String format, ExampleMapper mapper) {
        if (!Files.exists(file)) {
            throw DataException.inFile(file, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw DataException.inFile(file, "is a folder, expected a data file");
        }
        DataFormat dataFormat = DataFormat.of(format, file);
        List<RawRow> rows;
        try {
            rows = dataFormat == DataFormat.JSONL
                    ? JsonlRows.read(file, mapper.columns())
                    : DelimitedRows.read(file, dataFormat, mapper.columns());
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw DataException.inFile(file, "holds no rows");
        }
        List<Example> examples = new ArrayList<>(rows.size());
        for (RawRow row : rows) {
            examples.add(mapper.map(file, row));
        }
        return examples;
    }
}
