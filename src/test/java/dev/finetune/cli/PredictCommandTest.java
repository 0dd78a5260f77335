package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `predict` over a model trained for one step: Parquet reads as JSON lines do, and a run's --output is whole or absent. */
class PredictCommandTest {
    @TempDir
    static Path shared;
    private static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainOneStep() throws Exception {
        BadInputCorpusTest.Workspace w = new BadInputCorpusTest.Workspace(shared);
        Path manifest = w.manifest(m -> m.replace("    evalStrategy: epoch\n", "    evalStrategy: \"no\"\n    maxSteps: 1\n")
                .replace("    saveStrategy: epoch\n", "    saveStrategy: \"no\"\n"));
        CliRun.Printed result = CliRun.printed(w.run(manifest));
        assertEquals(0, result.code(), result.output());
        model = w.out().resolve("final");
    }

    @Test
    void parquetRowsPredictAsTheSameRowsInJsonLines() throws Exception {
        Path jsonl = Path.of("examples", "quickstart", "data", "validation.jsonl").toAbsolutePath();
        Path parquet = tmp.resolve("validation.parquet");
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("COPY (SELECT * FROM read_json_auto('" + jsonl + "')) TO '" + parquet + "' (FORMAT PARQUET)");
        }

        CliRun.Printed fromJsonl = predict(jsonl, tmp.resolve("a.jsonl"));
        CliRun.Printed fromParquet = predict(parquet, tmp.resolve("b.jsonl"));

        assertEquals(0, fromJsonl.code(), fromJsonl.output());
        assertEquals(0, fromParquet.code(), fromParquet.output());
        List<String> expected = Files.readAllLines(tmp.resolve("a.jsonl"));
        assertEquals(150, expected.size());
        assertEquals(expected, Files.readAllLines(tmp.resolve("b.jsonl")));
        assertTrue(fromParquet.output().contains("test_accuracy"), fromParquet.output());
    }

    @Test
    void withoutMaxLengthItTruncatesAtTheJobsMaxLength() throws Exception {
        // The quickstart job trains at maxLength 64; its model folder's tokenizer says 128, as do the positions.
        assertTrue(Files.readString(model.resolve("tokenizer_config.json")).contains("\"model_max_length\" : 64"),
                Files.readString(model.resolve("tokenizer_config.json")));
        Path data = Path.of("examples", "quickstart", "data", "validation.jsonl").toAbsolutePath();

        CliRun.Printed byDefault = predict(data, tmp.resolve("default.jsonl"));
        CliRun.Printed at64 = predict(data, tmp.resolve("64.jsonl"), "--max-length", "64");
        CliRun.Printed at128 = predict(data, tmp.resolve("128.jsonl"), "--max-length", "128");

        assertEquals(0, byDefault.code() + at64.code() + at128.code(), byDefault.output() + at64.output() + at128.output());
        List<String> rows = Files.readAllLines(tmp.resolve("default.jsonl"));
        assertEquals(Files.readAllLines(tmp.resolve("64.jsonl")), rows);
        // Some pairs are longer than 64 tokens, so a default of 128 would not have given the same logits.
        assertTrue(!rows.equals(Files.readAllLines(tmp.resolve("128.jsonl"))), "no row of the data is longer than 64 tokens");
    }

    @Test
    void aFailedPredictionLeavesNoOutputFile() {
        Path out = tmp.resolve("nested").resolve("predictions.jsonl");
        Path data = tmp.resolve("missing.jsonl");

        CliRun.Printed result = predict(data, out);

        assertEquals(2, result.code(), result.output());
        assertTrue(!Files.exists(out) && !Files.exists(out.getParent()) || listIsEmpty(out.getParent()), "nothing half-written");
    }

    private static boolean listIsEmpty(Path folder) {
        try (var files = Files.list(folder)) {
            return files.findAny().isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CliRun.Printed predict(Path data, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.printed(args);
    }
}
