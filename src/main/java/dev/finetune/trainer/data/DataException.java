package dev.finetune.trainer.data;

import java.nio.file.Path;

/**
 * Bad training or evaluation data, found before training starts. The message names the file, the
 * 1-based line (as an editor shows it) and the field, e.g.
 * {@code data/train.jsonl:17: field 'label': 5 is out of range [0, 2)}.
 * Retrying cannot fix the data, so the trainer exits with {@link #EXIT_CODE} (the Job is not retried).
 */
public class DataException extends RuntimeException {
    /** Exit code for invalid config or data (SPEC.md, "How a job flows"). */
    public static final int EXIT_CODE = 2;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem with one field of one row: {@code file:line: field 'name': problem}. */
    public static DataException atField(Path file, long line, String field, String problem) {
        return new DataException(file + ":" + line + ": field '" + field + "': " + problem);
    }

    /** A problem with one line that is not about a single field (e.g. malformed JSON). */
    public static DataException atLine(Path file, long line, String problem) {
        return new DataException(file + ":" + line + ": " + problem);
    }

    /** A problem with the whole file (missing, unreadable, unknown format). */
    public static DataException inFile(Path file, String problem) {
        return new DataException(file + ": " + problem);
    }

    public int exitCode() {
        return EXIT_CODE;
    }
}
