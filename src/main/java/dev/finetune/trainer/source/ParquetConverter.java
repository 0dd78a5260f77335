package dev.finetune.trainer.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Parquet files into one JSONL file (a JSON object per row, column names as keys, rows in file order),
 * so that the data readers need no Parquet code. DuckDB's JDBC driver does the reading and writing: one jar,
 * no further dependencies, its parquet and json extensions built in (nothing is downloaded at run time).
 */
public final class ParquetConverter {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetConverter.class);

    private ParquetConverter() {
    }

    /** Writes {@code target} atomically; the parquet files are read in the order given. */
    public static void toJsonl(List<Path> parquetFiles, Path target, String field) throws SourceException {
        if (parquetFiles.isEmpty()) {
            throw SourceException.permanent(field + ": no parquet files to convert into " + target);
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        String files = parquetFiles.stream().map(p -> quote(p.toAbsolutePath().toString())).collect(Collectors.joining(", "));
        long start = System.nanoTime();
        try {
            Files.createDirectories(target.getParent());
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                 Statement statement = connection.createStatement()) {
                // Offline by design: never fetch an extension; keep to the cores a job shares.
                statement.execute("SET autoinstall_known_extensions = false");
                statement.execute("SET threads = 2");
                statement.execute("SET preserve_insertion_order = true");
                statement.execute("COPY (SELECT * FROM read_parquet([" + files + "])) TO " + quote(tmp.toAbsolutePath().toString())
                        + " (FORMAT JSON)");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (SQLException e) {
            deleteQuietly(tmp);
            throw SourceException.permanent(field + ": cannot read parquet " + parquetFiles + ": " + firstLine(e.getMessage()));
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw SourceException.transientFailure(field + ": cannot write " + target + ": " + e.getMessage(), e);
        }
        LOG.info("Converted {} parquet file(s) to {} in {} ms", parquetFiles.size(), target, (System.nanoTime() - start) / 1_000_000);
    }

    /** A SQL string literal. */
    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a leftover temp file is harmless: the next conversion writes its own
        }
    }
}
