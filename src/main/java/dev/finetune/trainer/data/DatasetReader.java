package dev.finetune.trainer.data;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

    /**
     * Hands each training row of {@code file} to {@code sink} as it is read and checked, without holding the
     * file in memory; returns the row count. Fails as {@link #read} does (a file with no rows included).
     */
    public static long forEach(Path file, String format, TaskSpec task, Consumer<Example> sink) {
        ExampleMapper mapper = new ExampleMapper(task, true);
        long[] count = {0};
        readRows(file, format, mapper, row -> {
            sink.accept(mapper.map(file, row));
            count[0]++;
        });
        if (count[0] == 0) {
            throw DataException.inFile(file, "holds no rows");
        }
        return count[0];
    }

    private static List<Example> read(Path file, String format, ExampleMapper mapper) {
        List<RawRow> rows = new ArrayList<>();
        readRows(file, format, mapper, rows::add);
        if (rows.isEmpty()) {
            throw DataException.inFile(file, "holds no rows");
        }
        List<Example> examples = new ArrayList<>(rows.size());
        for (RawRow row : rows) {
            examples.add(mapper.map(file, row));
        }
        return examples;
    }

    /** Fails unless {@code file} is a file that exists. */
    static void checkFile(Path file) {
        if (!Files.exists(file)) {
            throw DataException.inFile(file, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw DataException.inFile(file, "is a folder, expected a data file");
        }
    }

    private static void readRows(Path file, String format, ExampleMapper mapper, Consumer<RawRow> sink) {
        checkFile(file);
        DataFormat dataFormat = DataFormat.of(format, file);
        try {
            if (dataFormat == DataFormat.JSONL) {
                JsonlRows.forEach(file, mapper.columns(), sink);
            } else {
                DelimitedRows.forEach(file, dataFormat, mapper.columns(), sink);
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
