package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pre-tokenised rows that are wrong, in the style of {@link BadInputCorpusTest}: through the real CLI, each ends before
 * training with exit 2, one message naming the file:line and field (or flag), no stack trace, nothing trained. The model
 * is the quickstart's config.json alone (bert, vocab_size 4096, 128 positions, type_vocab_size 2): no tokenizer.
 */
class PretokenizedBadInputTest {
    private static final Path QUICKSTART = Path.of("examples", "quickstart").toAbsolutePath();
    /** Eight valid rows: [CLS]-like 2, three ids, [SEP]-like 3; pairs with token type 1 on the second half. */
    private static final List<String> ROWS = List.of(
            "{\"input_ids\": [2, 50, 60, 3], \"token_type_ids\": [0, 0, 0, 0], \"attention_mask\": [1, 1, 1, 1], \"label\": 1}",
            "{\"input_ids\": [2, 70, 3, 80, 3], \"token_type_ids\": [0, 0, 0, 1, 1], \"attention_mask\": [1, 1, 1, 1, 1], \"label\": 0}",
            "{\"input_ids\": [2, 90, 91, 92, 3], \"label\": 1}",
            "{\"input_ids\": [2, 100, 3, 0, 0], \"attention_mask\": [1, 1, 1, 0, 0], \"label\": 0}",
            "{\"input_ids\": [2, 110, 3], \"label\": 1}",
            "{\"input_ids\": [2, 120, 121, 3, 122, 3], \"token_type_ids\": [0, 0, 0, 0, 1, 1], \"label\": 0}",
            "{\"input_ids\": [2, 4095, 3], \"label\": 1}",
            "{\"input_ids\": [2, 130, 3], \"label\": 0}");
    private static Path trainedRoot;
    private static Path trained;

    @TempDir
    Path tmp;

    record Case(String name, String fragment, Setup setup) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Setup {
        List<String> args(Workspace w) throws Exception;
    }

    static Stream<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        cases.add(trainRow("id beyond vocab_size", 2, "{\"input_ids\": [2, 4096, 3], \"label\": 1}",
                "train.jsonl:2: field 'input_ids': token id 4096 (position 1) is outside the model's vocabulary [0, 4096)"));
        cases.add(trainRow("negative id", 3, "{\"input_ids\": [2, -1, 3], \"label\": 1}",
                "train.jsonl:3: field 'input_ids': token id -1 (position 1)"));
        cases.add(trainRow("longer than spec.task.maxLength", 3, ids(17),
                "train.jsonl:3: field 'input_ids': 17 tokens, more than spec.task.maxLength 16: pre-tokenised rows are not truncated"));
        cases.add(trainRow("attention_mask shorter than input_ids", 2,
                "{\"input_ids\": [2, 50, 60, 3], \"attention_mask\": [1, 1, 1], \"label\": 1}",
                "train.jsonl:2: field 'attention_mask': 3 values where input_ids has 4"));
        cases.add(trainRow("attention_mask not 0/1", 2, "{\"input_ids\": [2, 50, 3], \"attention_mask\": [1, 2, 1], \"label\": 1}",
                "train.jsonl:2: field 'attention_mask': 2 at position 1: expected 0 or 1"));
        cases.add(trainRow("token_type_ids beyond type_vocab_size", 5,
                "{\"input_ids\": [2, 50, 3, 60], \"token_type_ids\": [0, 0, 1, 2], \"label\": 1}",
                "train.jsonl:5: field 'token_type_ids': token type id 2 (position 3) is outside [0, 2)"));
        cases.add(trainRow("token_type_ids longer than input_ids", 2,
                "{\"input_ids\": [2, 50, 3], \"token_type_ids\": [0, 0, 0, 0], \"label\": 1}",
                "train.jsonl:2: field 'token_type_ids': 4 values where input_ids has 3"));
        cases.add(trainRow("a text row among pre-tokenised ones", 4,
                "{\"sentence1\": \"a text\", \"sentence2\": \"another\", \"label\": 1}",
                "train.jsonl:4: field 'input_ids': missing from this row, but the row on line 1 is pre-tokenised"));
        cases.add(trainRow("input_ids a text", 2, "{\"input_ids\": \"2 50 3\", \"label\": 1}",
                "train.jsonl:2: field 'input_ids': expected a list of integers like [101, 2023, 102], found 2 50 3"));
        cases.add(trainRow("input_ids floats", 2, "{\"input_ids\": [2, 1.5, 3], \"label\": 1}",
                "train.jsonl:2: field 'input_ids': expected integers, found 1.5 at position 1"));
        cases.add(trainRow("input_ids empty", 2, "{\"input_ids\": [], \"label\": 1}",
                "train.jsonl:2: field 'input_ids': an empty list of token ids"));
        cases.add(trainRow("input_ids null", 6, "{\"input_ids\": null, \"label\": 1}", "train.jsonl:6: field 'input_ids': is null"));
        cases.add(trainRow("label out of range", 2, "{\"input_ids\": [2, 50, 3], \"label\": 5}",
                "train.jsonl:2: field 'label': 5 is out of range [0, 2)"));
        cases.add(trainRow("label missing", 7, "{\"input_ids\": [2, 50, 3]}", "train.jsonl:7: field 'label': missing from this row"));
        cases.add(new Case("run: a pre-tokenised row among text rows", "this row is pre-tokenised but the row on line 1 is text", w -> {
            w.textData();
            w.replaceLine("data/train.jsonl", 5, ROWS.get(0));
            return w.run(w.manifest(true));
        }));
        cases.add(new Case("run: pre-tokenised train split, text validation split",
                "validation.jsonl: holds text rows but", w -> {
            Files.write(w.root().resolve("data/validation.jsonl"), Files.readAllLines(QUICKSTART.resolve("data/validation.jsonl")));
            return w.run(w.manifest(false));
        }));
        cases.add(new Case("run: text rows, a model folder with only spm.model", "only the sentencepiece model spm.model", w -> {
            w.textData();
            Files.write(w.root().resolve("model/spm.model"), new byte[] {10, 5, 10, 3});
            return w.run(w.manifest(false));
        }));
        cases.add(new Case("predict: longer than the model's positions", "rows.jsonl:1: field 'input_ids': 129 tokens, more than"
                + " the model takes (128, from max_position_embeddings of", w -> w.predict(List.of(ids(129)))));
        cases.add(new Case("predict: longer than --max-length", "rows.jsonl:2: field 'input_ids': 20 tokens, more than --max-length 16",
                w -> w.predict(List.of(ROWS.get(0), ids(20)), "--max-length", "16")));
        cases.add(new Case("predict: id beyond vocab_size", "rows.jsonl:3: field 'input_ids': token id 5000 (position 0)",
                w -> w.predict(List.of(ROWS.get(0), ROWS.get(1), "{\"input_ids\": [5000]}"))));
        cases.add(new Case("predict: text rows, no tokenizer", "tokenizer.json: no such file", w -> {
            Path rows = w.root().resolve("rows.jsonl");
            Files.write(rows, Files.readAllLines(QUICKSTART.resolve("data/validation.jsonl")).subList(0, 3));
            return List.of("predict", "--model", trained().toString(), "--data", rows.toString(), "--output", w.predictions());
        }));
        cases.add(new Case("predict: CSV cell not a list", "rows.csv:3: field 'input_ids': expected a list of integers", w -> {
            Path rows = w.root().resolve("rows.csv");
            Files.writeString(rows, "input_ids,label\n\"[2, 50, 3]\",1\n\"2;50;3\",0\n");
            return List.of("predict", "--model", trained().toString(), "--data", rows.toString(), "--output", w.predictions());
        }));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsBeforeTrainingWithExitTwoAMessageNamingTheRowAndNoStackTrace(Case c) throws Exception {
        Workspace w = new Workspace(tmp);
        List<String> args = c.setup().args(w);

        CliRun.Printed result = CliRun.printed(args);

        String shown = result.output();
        assertEquals(2, result.code(), c.name() + ": exit code of " + args + "; output:\n" + shown);
        assertTrue(shown.contains(c.fragment()), c.name() + ": the message names the cause (" + c.fragment() + "):\n" + shown);
        assertFalse(shown.contains("\tat ") || shown.contains("Exception") || shown.contains("Caused by"),
                c.name() + ": no stack trace and no exception class names:\n" + shown);
        assertFalse(Files.exists(w.out().resolve("final")), c.name() + ": nothing trained");
    }

    /** The same rows as CSV cells (lists as JSON text, as pandas writes them) predict as the JSON lines do. */
    @Test
    void csvCellsHoldingListsPredictAsJsonLines() throws Exception {
        Path jsonl = tmp.resolve("rows.jsonl");
        Files.write(jsonl, ROWS);
        Path csv = tmp.resolve("rows.csv");
        List<String> lines = new ArrayList<>(List.of("input_ids,attention_mask,label"));
        lines.add("\"[2, 100, 3, 0, 0]\",\"[1, 1, 1, 0, 0]\",0");
        lines.add("\"[2, 110, 3]\",,1");
        Files.write(csv, lines);
        CliRun.Printed fromJsonl = CliRun.printed(List.of("predict", "--model", trained().toString(), "--data", jsonl.toString()));
        CliRun.Printed fromCsv = CliRun.printed(List.of("predict", "--model", trained().toString(), "--data", csv.toString()));
        assertEquals(0, fromJsonl.code(), fromJsonl.output());
        assertEquals(0, fromCsv.code(), fromCsv.output());
        List<double[]> jsonlLogits = logits(fromJsonl.output());
        List<double[]> csvLogits = logits(fromCsv.output());
        assertEquals(8, jsonlLogits.size(), fromJsonl.output());
        assertEquals(2, csvLogits.size(), fromCsv.output());
        for (int row = 0; row < 2; row++) {
            // Other batches, other padding widths: the same logits up to float32 rounding.
            assertArrayEquals(jsonlLogits.get(3 + row), csvLogits.get(row), 1e-6, "row " + row);
        }
    }

    /** Parquet splits with list columns (as datasets writes a tokenised split) train as the JSON lines do. */
    @Test
    void parquetSplitsOfPreTokenisedRowsTrain() throws Exception {
        Workspace w = new Workspace(tmp);
        for (String split : List.of("train", "validation")) {
            Path jsonl = w.root().resolve("data").resolve(split + ".jsonl");
            try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                    java.sql.Statement statement = connection.createStatement()) {
                statement.execute("COPY (SELECT * FROM read_json('" + jsonl + "', format = 'newline_delimited')) TO '"
                        + jsonl.resolveSibling(split + ".parquet") + "' (FORMAT PARQUET)");
            }
            Files.delete(jsonl);
        }
        CliRun.Printed result = CliRun.printed(w.run(w.manifest(false)));
        assertEquals(0, result.code(), result.output());
        assertTrue(result.output().contains("Num examples = 8"), result.output());
        assertTrue(Files.isRegularFile(w.out().resolve("final/model.safetensors")), result.output());
    }

    private static List<double[]> logits(String output) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : output.lines().filter(l -> l.startsWith("{\"line\":")).toList()) {
            JsonNode values = new ObjectMapper().readTree(line).get("logits");
            double[] row = new double[values.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = values.get(i).asDouble();
            }
            rows.add(row);
        }
        return rows;
    }

    private static Case trainRow(String name, int line, String row, String fragment) {
        return new Case("run: " + name, fragment, w -> {
            w.replaceLine("data/train.jsonl", line, row);
            return w.run(w.manifest(false));
        });
    }

    /** A valid row of {@code length} tokens. */
    private static String ids(int length) {
        StringBuilder ids = new StringBuilder("2");
        for (int i = 1; i < length - 1; i++) {
            ids.append(", ").append(10 + i);
        }
        return "{\"input_ids\": [" + ids + ", 3], \"label\": 1}";
    }

    /** A model folder (the quickstart's config.json only), pre-tokenised train and validation splits, an output folder. */
    record Workspace(Path root) {
        Workspace {
            try {
                Files.createDirectories(root.resolve("model"));
                Files.copy(QUICKSTART.resolve("model/config.json"), root.resolve("model/config.json"));
                Files.createDirectories(root.resolve("data"));
                Files.write(root.resolve("data/train.jsonl"), ROWS);
                Files.write(root.resolve("data/validation.jsonl"), ROWS.subList(0, 4));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Path out() {
            return root.resolve("out");
        }

        /** Where predict writes (not stdout: the captured stdout is also stderr, and predict closes its rows' stream). */
        String predictions() {
            return root.resolve("predictions.jsonl").toString();
        }

        /** The quickstart's text rows (and, where {@code withTokenizer}, its tokenizer files) instead. */
        void textData() throws IOException {
            for (String split : List.of("train.jsonl", "validation.jsonl")) {
                Files.write(root.resolve("data").resolve(split), Files.readAllLines(QUICKSTART.resolve("data").resolve(split)).subList(0, 20));
            }
        }

        Path manifest(boolean withTokenizer) throws IOException {
            if (withTokenizer) {
                TinyJobFolder.copyQuickstartTokenizer(root.resolve("model"));
            }
            return TinyJobFolder.writeManifest(root, "pretokenized", """
                    numLabels: 2
                    maxLength: 16
                    """, """
                    maxSteps: 1
                    perDeviceTrainBatchSize: 4
                    saveStrategy: "no"
                    """);
        }

        List<String> run(Path manifest) {
            return List.of("run", manifest.toString(), "--output", out().toString(), "--no-progress-bar");
        }

        List<String> predict(List<String> rows, String... flags) throws IOException {
            Path file = root.resolve("rows.jsonl");
            Files.write(file, rows);
            List<String> args = new ArrayList<>(List.of("predict", "--model", trained().toString(), "--data", file.toString(),
                    "--output", predictions()));
            args.addAll(List.of(flags));
            return args;
        }

        void replaceLine(String relative, int line, String text) throws IOException {
            Path file = root.resolve(relative);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(line - 1, text);
            Files.write(file, lines);
        }
    }

    /** One step on the valid pre-tokenised rows with no tokenizer anywhere: its final/ is what predict cases read. */
    private static synchronized Path trained() throws IOException {
        if (trained == null) {
            trainedRoot = Files.createTempDirectory("pretokenized-model");
            Workspace w = new Workspace(trainedRoot);
            CliRun.Printed result = CliRun.printed(w.run(w.manifest(false)));
            if (result.code() != 0) {
                throw new IllegalStateException("training on pre-tokenised rows failed:\n" + result.output());
            }
            trained = w.out().resolve("final");
            if (Files.exists(trained.resolve("tokenizer.json"))) {
                throw new IllegalStateException("final/ has a tokenizer.json, yet the model folder had none");
            }
        }
        return trained;
    }

    @AfterAll
    static void deleteTrained() throws IOException {
        if (trainedRoot != null) {
            try (Stream<Path> files = Files.walk(trainedRoot)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
