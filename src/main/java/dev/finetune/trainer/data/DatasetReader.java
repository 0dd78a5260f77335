package dev.finetune.trainer.data;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a JSONL, CSV or TSV file into {@link Example}s (or, for pre-tokenised rows, {@link PretokenizedRow}s), checking every row up front so that bad data
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

    /** Whether {@code file}'s rows carry token ids (an input_ids column) rather than texts. */
    public static boolean isPretokenized(Path file, String format) {
        checkFile(file);
        try {
            return PretokenizedMapper.isPretokenized(file, DataFormat.of(format, file));
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Hands each pre-tokenised training row of {@code file} to {@code sink}, checked against {@code model} and
     * {@code spec.task.maxLength}; returns the row count. Fails as {@link #forEach} does.
     */
    public static long forEachPretokenized(Path file, String format, TaskSpec task, ModelInputs model,
            Consumer<EncodedExample> sink) {
        return readPretokenized(file, format, new PretokenizedMapper(task, true, model, task.maxLength, "spec.task.maxLength"),
                row -> sink.accept(row.input()));
    }

    /**
     * Pre-tokenised rows for prediction (the label optional, as {@link #readForPrediction}); {@code maxLength} and
     * {@code maxLengthField} name the limit a row must keep to besides the model's.
     */
    public static List<PretokenizedRow> readPretokenizedForPrediction(Path file, String format, TaskSpec task,
            ModelInputs model, Integer maxLength, String maxLengthField) {
        List<PretokenizedRow> rows = new ArrayList<>();
        readPretokenized(file, format, new PretokenizedMapper(task, false, model, maxLength, maxLengthField), rows::add);
        return rows;
    }

    private static long readPretokenized(Path file, String format, PretokenizedMapper mapper, Consumer<PretokenizedRow> sink) {
        long[] count = {0};
        long[] firstLine = {-1};
        readRows(file, format, mapper.columns(), row -> {
            if (firstLine[0] < 0) {
                firstLine[0] = row.line();
            }
            sink.accept(mapper.map(file, row, firstLine[0]));
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

    /**
     * Text rows: a row that carries input_ids among them is refused (a dataset is one kind or the other). In JSON lines
     * the required columns are checked here, after that, so that such a row is named for what it is.
     */
    private static void readRows(Path file, String format, ExampleMapper mapper, Consumer<RawRow> sink) {
        Columns task = mapper.columns();
        boolean jsonl = DataFormat.of(format, file) == DataFormat.JSONL;
        Set<String> lists = new HashSet<>(task.lists());
        lists.add(PretokenizedMapper.INPUT_IDS);
        List<String> optional = new ArrayList<>(jsonl ? task.all() : task.optional());
        optional.add(PretokenizedMapper.INPUT_IDS);
        long[] firstLine = {-1};
        readRows(file, format, new Columns(jsonl ? List.of() : task.required(), optional, lists), row -> {
            if (firstLine[0] < 0) {
                firstLine[0] = row.line();
            }
            if (row.cells().get(PretokenizedMapper.INPUT_IDS) != null) {
                throw DataException.atField(file, row.line(), PretokenizedMapper.INPUT_IDS, row.line() == firstLine[0]
                        ? "pre-tokenised rows are read with the model's limits (run, predict), not by this reader"
                        : "this row is pre-tokenised but the row on line " + firstLine[0] + " is text: a dataset is either"
                                + " all pre-tokenised (input_ids on every row) or all text");
            }
            for (String column : task.required()) {
                if (!row.cells().containsKey(column)) {
                    throw DataException.atField(file, row.line(), column, "missing from this row");
                }
            }
            Map<String, String> cells = new LinkedHashMap<>(row.cells());
            cells.remove(PretokenizedMapper.INPUT_IDS);
            sink.accept(new RawRow(row.line(), cells));
        });
    }

    private static void readRows(Path file, String format, Columns columns, Consumer<RawRow> sink) {
        checkFile(file);
        DataFormat dataFormat = DataFormat.of(format, file);
        try {
            if (dataFormat == DataFormat.JSONL) {
                JsonlRows.forEach(file, columns, sink);
            } else {
                DelimitedRows.forEach(file, dataFormat, columns, sink);
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
