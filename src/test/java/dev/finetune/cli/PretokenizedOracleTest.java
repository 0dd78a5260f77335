package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pre-tokenised rows through the real CLI against what transformers computed (shared/fixtures/hf-oracle): the rows of
 * each case's inputs.json, with no tokenizer in the model folder (config.json + model.safetensors only).
 * {@code predict} must write the case's seq_cls_logits, and a two-step {@code run} must leave the weights transformers
 * had after two AdamW steps. Every case whose model_type is registered runs (families added later are picked up);
 * the others, and everything without the shared folder, are skipped.
 */
class PretokenizedOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Adam moves an element whose gradient is rounding noise by up to lr either way (hf-oracle's README). */
    private static final double SENSITIVE_TOLERANCE = 2e-3;

    @TempDir
    Path tmp;
    /** stdout of the last predict: its metrics line. */
    private String lastPredictOut;

    /** The case folders (a placeholder that skips when the shared folder is absent). */
    static Stream<String> cases() throws IOException {
        return OracleCases.names(d -> Files.isRegularFile(d.resolve("case.json")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void predictOnPreTokenisedRowsWritesTransformersLogits(String name) throws Exception {
        HfOracleCase c = OracleCases.registered(name);
        Path model = OracleCases.modelWithoutTokenizer(c.dir(), tmp, false);
        double tolerance = c.tolerance("seq_cls_logits");
        double[] expected = c.expected("seq_cls_logits");

        // As inputs.json gives them (padded to the longest, with attention_mask), as JSON lines and as Parquet lists ...
        Path padded = writeRows(c, tmp.resolve("padded.jsonl"), true);
        assertLogits(name + " padded JSONL", predict(model, padded), expected, c.numLabels(), tolerance);
        assertLogits(name + " padded Parquet", predict(model, CliRun.toParquet(padded)), expected, c.numLabels(), tolerance);
        // ... and cut to each row's own length without a mask: batches are padded with the model's pad_token_id.
        Path unpadded = writeRows(c, tmp.resolve("unpadded.jsonl"), false);
        assertLogits(name + " unpadded JSONL", predict(model, unpadded), expected, c.numLabels(), tolerance);
        // The rows are labelled as the problem type reads them, so predict scores them: test_loss is the fixture's loss
        // (cross-entropy, BCE-with-logits or MSE, transformers' mean over the batch).
        double loss = logged(lastPredictOut, "test_loss");
        double lossError = Math.abs(loss - c.expected("loss")[0]);
        assertTrue(lossError <= c.tolerance("loss"), name + ": test_loss " + loss + ", transformers " + c.expected("loss")[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aOneStepRunOnPreTokenisedRowsLogsTransformersLossAndGradNorm(String name) throws Exception {
        HfOracleCase c = OracleCases.registered(name);
        Path model = OracleCases.modelWithoutTokenizer(c.dir(), tmp, true);
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeRows(c, data.resolve("train.jsonl"), true);
        Path manifest = OracleCases.writeManifest(tmp, "oracle-" + name, task(c), """
                maxSteps: 1
                perDeviceTrainBatchSize: 3
                loggingSteps: 1
                saveStrategy: "no"
                """);

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(0, result.code(), result.err() + result.out());
        // The log rounds loss to 4 digits, as transformers' Trainer does; grad_norm is printed in full.
        double loss = logged(result.out(), "loss");
        assertTrue(Math.abs(loss - c.expected("loss")[0]) <= 5e-5 + c.tolerance("loss"),
                name + ": logged loss " + loss + ", transformers " + c.expected("loss")[0]);
        double gradNorm = logged(result.out(), "grad_norm");
        assertTrue(Math.abs(gradNorm - c.expected("grad_norm")[0]) <= c.tolerance("grad_norm"),
                name + ": logged grad_norm " + gradNorm + ", transformers " + c.expected("grad_norm")[0]);
    }

    /** The first {@code 'key': value} of a log dict line in {@code out}. */
    private static double logged(String out, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'" + key + "': ([-0-9.eE+]+)").matcher(out);
        assertTrue(m.find(), "no '" + key + "' in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aTwoStepRunOnPreTokenisedRowsEndsWithTransformersWeights(String name) throws Exception {
        HfOracleCase c = OracleCases.registered(name);
        assumeTrue(c.has("loss_step2"), name + ": no training reference (only the main cases have one)");
        Path model = OracleCases.modelWithoutTokenizer(c.dir(), tmp, true);
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeRows(c, data.resolve("train.jsonl"), true);
        JsonNode training = c.training();
        Path manifest = OracleCases.writeManifest(tmp, "oracle-" + name, task(c), """
                maxSteps: %d
                perDeviceTrainBatchSize: 3
                learningRate: %s
                lrSchedulerType: constant
                weightDecay: %s
                adamBeta1: %s
                adamBeta2: %s
                adamEpsilon: %s
                maxGradNorm: %s
                loggingSteps: 1
                saveStrategy: "no"
                """.formatted(training.get("steps").asInt(), training.get("lr").asText(), training.get("weight_decay").asText(),
                training.get("betas").get(0).asText(), training.get("betas").get(1).asText(), training.get("eps").asText(),
                training.get("clip_grad_norm").asText()));
        Path out = tmp.resolve("out");

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");

        assertEquals(0, result.code(), result.err() + result.out());
        assertTrue(result.out().contains("  Total optimization steps = 2"), result.out());
        int checked = 0;
        try (NDManager manager = NDManager.newBaseManager();
                SafetensorsReader weights = SafetensorsReader.open(out.resolve("final/model.safetensors"))) {
            for (String parameter : weights.names()) {
                String reference = "after2/" + parameter;
                assertTrue(c.has(reference), name + ": final/ holds " + parameter + ", which transformers' model has not");
                float[] actual = weights.read(parameter, manager).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                double[] expected = c.expected(reference);
                Set<Long> sensitive = c.sensitive(parameter);
                double tight = c.tolerance(reference);
                assertEquals(expected.length, actual.length, parameter);
                for (int i = 0; i < actual.length; i++) {
                    double limit = sensitive.contains((long) i) ? SENSITIVE_TOLERANCE : tight;
                    double diff = Math.abs(actual[i] - expected[i]);
                    assertTrue(diff <= limit, name + ": " + parameter + "[" + i + "] is " + actual[i] + ", transformers "
                            + expected[i] + " after two steps (diff " + diff + " > " + limit + ")");
                }
                checked++;
            }
        }
        assertTrue(checked > 10, name + ": only " + checked + " parameters in final/");
    }

    /** The case's task block: its problem type and labels, maxLength its rows' padded length. */
    private static String task(HfOracleCase c) {
        return """
                problemType: %s
                numLabels: %d
                maxLength: %d
                """.formatted(c.problemType(), c.numLabels(), c.expectedShape("last_hidden_state").get(1));
    }

    /** inputs.json's rows, one JSON object each: padded as given (with attention_mask) or cut to their lengths. */
    private static Path writeRows(HfOracleCase c, Path file, boolean padded) throws IOException {
        JsonNode inputs = JSON.readTree(c.dir().resolve("inputs.json").toFile());
        boolean multiLabel = c.problemType().equals("multi_label_classification");
        JsonNode lengths = inputs.get("meta").get("lengths");
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < inputs.get("input_ids").size(); row++) {
            int length = padded ? inputs.get("input_ids").get(row).size() : lengths.get(row).asInt();
            ObjectNode line = JSON.createObjectNode();
            for (String column : padded ? List.of("input_ids", "token_type_ids", "attention_mask") : List.of("input_ids", "token_type_ids")) {
                if (inputs.has(column)) {
                    ArrayNode values = line.putArray(column);
                    for (int t = 0; t < length; t++) {
                        values.add(inputs.get(column).get(row).get(t).asLong());
                    }
                }
            }
            line.set("label", label(inputs.get("labels").get(row), multiLabel));
            lines.add(JSON.writeValueAsString(line));
        }
        Files.write(file, lines);
        return file;
    }

    /**
     * A row's label as a user writes it per problem type: the class id, the list of label ids a multi-hot row sets
     * (multi-label), the number or the list of numbers (regression).
     */
    private static JsonNode label(JsonNode label, boolean multiLabel) {
        if (multiLabel) {
            ArrayNode ids = JSON.createArrayNode();
            for (int k = 0; k < label.size(); k++) {
                if (label.get(k).asDouble() > 0.5) {
                    ids.add(k);
                }
            }
            return ids;
        }
        return label;
    }

    private List<double[]> predict(Path model, Path rows) throws IOException {
        Path output = tmp.resolve("predictions-" + rows.getFileName() + ".jsonl");
        CliRun.Result result = CliRun.run("predict", "--model", model.toString(), "--data", rows.toString(), "--output", output.toString());
        assertEquals(0, result.code(), result.err() + result.out());
        lastPredictOut = result.out();
        List<double[]> logits = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            JsonNode values = JSON.readTree(line).get("logits");
            double[] row = new double[values.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = values.get(i).asDouble();
            }
            logits.add(row);
        }
        return logits;
    }

    private static void assertLogits(String what, List<double[]> actual, double[] expected, int numLabels, double tolerance) {
        assertEquals(expected.length / numLabels, actual.size(), what + ": rows");
        for (int r = 0; r < actual.size(); r++) {
            assertEquals(numLabels, actual.get(r).length, what + ": logits of row " + r);
            for (int k = 0; k < numLabels; k++) {
                double want = expected[r * numLabels + k];
                assertTrue(Math.abs(actual.get(r)[k] - want) <= tolerance, what + ": row " + r + " logit " + k + " is "
                        + actual.get(r)[k] + ", transformers " + want + " (tolerance " + tolerance + ")");
            }
        }
    }
}
