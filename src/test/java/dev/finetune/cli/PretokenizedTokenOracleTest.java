package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.HfOracleCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token classification on pre-tokenised rows (input_ids and a label per token, -100 where none, as run_ner.py's
 * tokenize_and_align_labels leaves them) through the real CLI, against transformers (shared/fixtures/hf-oracle, the
 * token_classification/ model of each case that has one, no tokenizer in the folder): {@code predict} writes
 * tok_cls_logits and reports tok_cls_loss as test_loss; the first step of a {@code run} logs tok_cls_grad_norm.
 */
class PretokenizedTokenOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TEST_LOSS = Pattern.compile("'test_loss': ([-0-9.eE]+)");
    private static final Pattern GRAD_NORM = Pattern.compile("'grad_norm': ([-0-9.eE]+)");

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        return OracleCases.names(d -> Files.isDirectory(d.resolve("token_classification")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void predictWritesTransformersTokenLogitsAndLoss(String name) throws Exception {
        HfOracleCase c = OracleCases.registered(name);
        Path model = OracleCases.modelWithoutTokenizer(c.tokenClassificationDir(), tmp, false);
        Path rows = writeRows(c, tmp.resolve("rows.jsonl"));
        checkPrediction(name + " JSONL", c, model, rows);
        checkPrediction(name + " Parquet", c, model, CliRun.toParquet(rows));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theFirstStepOfARunHasTransformersGradientNorm(String name) throws Exception {
        HfOracleCase c = OracleCases.registered(name);
        Path model = OracleCases.modelWithoutTokenizer(c.tokenClassificationDir(), tmp, true);
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeRows(c, data.resolve("train.jsonl"));
        Path manifest = OracleCases.writeManifest(tmp, "token-oracle-" + name, """
                type: TokenClassification
                tagsField: labels
                labelNames: [%s]
                numLabels: %d
                maxLength: %d
                """.formatted(String.join(", ", tags(c)), c.numTokenLabels(), c.expectedShape("last_hidden_state").get(1)), """
                maxSteps: 1
                perDeviceTrainBatchSize: 3
                learningRate: 1.0e-3
                lrSchedulerType: constant
                loggingSteps: 1
                saveStrategy: "no"
                """);

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(0, result.code(), result.err() + result.out());
        Matcher norm = GRAD_NORM.matcher(result.out());
        assertTrue(norm.find(), result.out());
        assertEquals(c.expected("tok_cls_grad_norm")[0], Double.parseDouble(norm.group(1)), c.tolerance("tok_cls_grad_norm"),
                name + ": grad_norm of step 1");
    }

    private void checkPrediction(String what, HfOracleCase c, Path model, Path rows) throws IOException {
        Path output = tmp.resolve("predictions-" + rows.getFileName() + ".jsonl");
        CliRun.Result result = CliRun.run("predict", "--model", model.toString(), "--data", rows.toString(), "--tags-field", "labels",
                "--output", output.toString());
        assertEquals(0, result.code(), result.err() + result.out());
        Matcher loss = TEST_LOSS.matcher(result.out());
        assertTrue(loss.find(), result.out());
        assertEquals(c.expected("tok_cls_loss")[0], Double.parseDouble(loss.group(1)), c.tolerance("tok_cls_loss"), what + ": test_loss");

        double[] expected = c.expected("tok_cls_logits");
        long[] shape = c.expectedShape("tok_cls_logits").getShape();
        JsonNode mask = JSON.readTree(c.dir().resolve("inputs.json").toFile()).get("attention_mask");
        double tolerance = c.tolerance("tok_cls_logits");
        List<String> lines = Files.readAllLines(output);
        assertEquals(shape[0], lines.size(), what);
        for (int r = 0; r < lines.size(); r++) {
            JsonNode logits = JSON.readTree(lines.get(r)).get("logits");
            int attended = 0;
            for (int t = 0; t < shape[1]; t++) {
                attended = mask.get(r).get(t).asInt() == 1 ? t + 1 : attended;
            }
            assertEquals(attended, logits.size(), what + ": row " + r + " has a logit row per token up to its last attended one");
            for (int t = 0; t < attended; t++) {
                for (int k = 0; k < shape[2]; k++) {
                    double want = expected[(int) ((r * shape[1] + t) * shape[2] + k)];
                    double got = logits.get(t).get(k).asDouble();
                    assertTrue(Math.abs(got - want) <= tolerance, what + ": row " + r + " token " + t + " logit " + k + " is "
                            + got + ", transformers " + want);
                }
            }
        }
    }

    private static List<String> tags(HfOracleCase c) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < c.numTokenLabels(); i++) {
            tags.add("LABEL_" + i);
        }
        return tags;
    }

    /** inputs.json's rows as given (padded, with attention_mask), the token_labels as each row's labels. */
    private static Path writeRows(HfOracleCase c, Path file) throws IOException {
        JsonNode inputs = JSON.readTree(c.dir().resolve("inputs.json").toFile());
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < inputs.get("input_ids").size(); row++) {
            ObjectNode line = JSON.createObjectNode();
            for (String column : List.of("input_ids", "token_type_ids", "attention_mask", "token_labels")) {
                if (inputs.has(column)) {
                    ArrayNode values = line.putArray(column.equals("token_labels") ? "labels" : column);
                    inputs.get(column).get(row).forEach(v -> values.add(v.asLong()));
                }
            }
            lines.add(JSON.writeValueAsString(line));
        }
        Files.write(file, lines);
        return file;
    }
}
