package dev.finetune.trainer.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** Writes small Parquet files for tests with the same DuckDB driver the converter uses. */
final class ParquetFixture {
    private ParquetFixture() {
    }

    /** {@code rows} is a SQL VALUES list of (sentence1, sentence2, label, idx). */
    static byte[] mrpcLike(Path dir, String name, String rows) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT sentence1, sentence2, CAST(label AS BIGINT) AS label, CAST(idx AS INTEGER) AS idx FROM (VALUES "
                    + rows + ") t(sentence1, sentence2, label, idx)) TO '" + file + "' (FORMAT PARQUET)");
        }
        return Files.readAllBytes(file);
    }
}
