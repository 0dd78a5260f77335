package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multi-label classification and regression through {@code run} and {@code predict}, as a user would, on a tiny random
 * BERT and RoBERTa: the quickstart's MRPC pairs relabelled (label sets of names; STS-B-like 0-5 scores), two epochs.
 * final/ must load with no missing or unused keys and carry problem_type, predict must write label sets or values and
 * score them as the last evaluation did, a rerun must train nothing, and a regression resumed from its first
 * checkpoint must end with the straight run's weights and log.
 */
class ProblemTypeRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LABELS = List.of("not_equivalent", "equivalent", "long");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"bert, multi_label_classification", "roberta, multi_label_classification", "bert, regression",
            "roberta, regression"})
    void trainsSavesPredictsAndResumesNothingMore(String modelType, String problemType) throws Exception {
        boolean multiLabel = problemType.equals("multi_label_classification");
        Path manifest = job(modelType, problemType);
        Path out = tmp.resolve("out");

        CliRun.Result first = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(first.out().contains("  Total optimization steps = 6"), first.out());
        List<String> metrics = multiLabel ? List.of("eval_loss", "eval_accuracy", "eval_f1", "eval_macro_f1")
                : List.of("eval_loss", "eval_mse", "eval_pearson", "eval_spearmanr");
        for (String metric : metrics) {
            assertTrue(first.out().contains("'" + metric + "': "), metric + " in the eval log:\n" + first.out());
        }
        assertFalse(first.out().contains("'eval_matthews_correlation'"), first.out());
        JsonNode state = JSON.readTree(out.resolve("checkpoint-6/trainer_state.json").toFile());
        assertTrue(state.get("best_metric").isNumber(), "best_metric on " + (multiLabel ? "f1" : "pearson") + ": " + state);

        Path finalDir = out.resolve("final");
        JsonNode config = JSON.readTree(finalDir.resolve("config.json").toFile());
        assertEquals(problemType, config.get("problem_type").asText(), "config.json tells predict and from_pretrained the task");
        assertEquals(modelType, config.get("model_type").asText());
        int numLabels = multiLabel ? 3 : 1;
        assertEquals(numLabels, config.get("id2label").size());
        if (multiLabel) {
            assertEquals("long", config.get("id2label").get("2").asText());
        }
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(finalDir, numLabels, null, manager, 0)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport(), "final/ loads with no missing or unused keys");
            assertEquals(problemType, model.config().problemType());
        }

        Path predictions = tmp.resolve("predictions.jsonl");
        CliRun.Result predicted = CliRun.run("predict", "--model", finalDir.toString(), "--data", tmp.resolve("data/validation.jsonl").toString(),
                "--max-length", "48", "--output", predictions.toString());
        assertEquals(0, predicted.code(), predicted.err() + predicted.out());
        List<String> lines = Files.readAllLines(predictions);
        List<String> gold = Files.readAllLines(tmp.resolve("data/validation.jsonl"));
        assertEquals(16, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row = JSON.readTree(lines.get(i));
            JsonNode want = JSON.readTree(gold.get(i)).get("label");
            if (multiLabel) {
                assertPredictedLabelSet(row, want);
            } else {
                assertEquals(row.get("logits").get(0).asDouble(), row.get("prediction").asDouble(), 0.0, lines.get(i));
                assertEquals(want.asDouble(), row.get("label").asDouble(), 1e-6, lines.get(i));
            }
        }
        // The same model on the same rows: predict's test_ metrics are the last evaluation's eval_ ones.
        for (String metric : metrics) {
            double test = last(predicted.out(), metric.replace("eval_", "test_"));
            double eval = last(first.out(), metric);
            assertEquals(eval, test, 1e-5, metric + " of predict vs the last evaluation");
        }

        // Run again: it resumes from its last checkpoint and trains nothing more.
        CliRun.Result second = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, second.code(), second.err() + second.out());
        assertFalse(second.out().contains("'eval_loss': "), second.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void aRegressionResumedFromItsFirstCheckpointEndsAsTheStraightRun(String modelType) throws Exception {
        Path manifest = job(modelType, "regression");
        Path straight = tmp.resolve("straight");
        CliRun.Result full = CliRun.run("run", manifest.toString(), "--output", straight.toString(), "--no-progress-bar");
        assertEquals(0, full.code(), full.err() + full.out());

        // As after a crash between the two saves: only checkpoint-3 is on the volume.
        Path resumed = tmp.resolve("resumed");
        copyTree(straight.resolve("checkpoint-3"), resumed.resolve("checkpoint-3"));
        CliRun.Result again = CliRun.run("run", manifest.toString(), "--output", resumed.toString(), "--no-progress-bar");
        assertEquals(0, again.code(), again.err() + again.out());
        assertTrue(again.out().contains("'eval_pearson': "), "epoch 2 trained and evaluated again: " + again.out());

        try (NDManager manager = NDManager.newBaseManager();
                SafetensorsReader a = SafetensorsReader.open(straight.resolve("final/model.safetensors"));
                SafetensorsReader b = SafetensorsReader.open(resumed.resolve("final/model.safetensors"))) {
            assertEquals(new TreeSet<>(a.names()), new TreeSet<>(b.names()));
            double maxDiff = 0;
            for (String name : a.names()) {
                float[] x = a.read(name, manager).toFloatArray();
                float[] y = b.read(name, manager).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                }
            }
            assertTrue(maxDiff <= 1e-6, "max abs weight difference " + maxDiff);
        }
        JsonNode stateA = JSON.readTree(straight.resolve("checkpoint-6/trainer_state.json").toFile());
        JsonNode stateB = JSON.readTree(resumed.resolve("checkpoint-6/trainer_state.json").toFile());
        assertEquals(history(stateA), history(stateB));
        assertEquals(stateA.get("best_metric"), stateB.get("best_metric"));
        assertEquals(stateA.get("best_global_step"), stateB.get("best_global_step"));
    }

    /** predicted_labels are the labels whose probability is above 0.5; labels are the row's gold set. */
    private static void assertPredictedLabelSet(JsonNode row, JsonNode want) {
        Set<String> predicted = new HashSet<>();
        row.get("predicted_labels").forEach(n -> predicted.add(n.asText()));
        assertEquals(LABELS.size(), row.get("probabilities").size(), row.toString());
        for (int k = 0; k < LABELS.size(); k++) {
            double p = row.get("probabilities").get(LABELS.get(k)).asDouble();
            double logit = row.get("logits").get(k).asDouble();
            assertEquals(1 / (1 + Math.exp(-logit)), p, 1e-6, row.toString());
            assertEquals(logit > 0, predicted.contains(LABELS.get(k)), row.toString());
        }
        Set<String> goldSet = new HashSet<>();
        want.forEach(n -> goldSet.add(n.asText()));
        Set<String> written = new HashSet<>();
        row.get("labels").forEach(n -> written.add(n.asText()));
        assertEquals(goldSet, written, row.toString());
    }

    /** Every loss, norm, learning rate and eval figure of log_history with its step (runtimes differ by nature). */
    private static List<String> history(JsonNode state) {
        List<String> out = new ArrayList<>();
        for (JsonNode entry : state.get("log_history")) {
            for (String key : List.of("loss", "grad_norm", "learning_rate", "eval_loss", "eval_pearson", "eval_spearmanr",
                    "eval_mse", "train_loss", "epoch")) {
                if (entry.has(key)) {
                    out.add(entry.get("step").asLong() + ":" + key + "=" + entry.get(key).asText());
                }
            }
        }
        return out;
    }

    /** The last {@code 'key': value} of the log lines in {@code out}. */
    private static double last(String out, String key) {
        Matcher m = Pattern.compile("'" + key + "': ([-0-9.eE+]+|nan)").matcher(out);
        String value = null;
        while (m.find()) {
            value = m.group(1);
        }
        assertTrue(value != null, "no '" + key + "' in:\n" + out);
        return value.equals("nan") ? Double.NaN : Double.parseDouble(value);
    }

    /**
     * A FineTuneJob for a tiny random model of {@code modelType} on 48 training and 16 validation rows of the quickstart's
     * pairs: as label sets of {@link #LABELS} (the MRPC class, plus "long" when the first sentence has over 20 words;
     * some rows have no label at all) or as a 0-5 score (5 x the word overlap of the pair, plus 1 for a paraphrase).
     */
    /**
     * As from_pretrained keeps config.json's problem_type: a job that leaves spec.task.problemType unset trains a
     * multi-label checkpoint as multi-label (BCE, its metrics, saved so); a checkpoint's problem_type that does not
     * fit numLabels (single-label with one label) is not taken, and a metricForBestModel the resolved type does not
     * log is refused before training, naming config.json.
     */
    @Test
    void anUnsetProblemTypeIsTheCheckpointsAsFromPretrainedKeepsIt() throws Exception {
        Path manifest = job("bert", "multi_label_classification");
        String spec = Files.readString(manifest);
        Files.writeString(manifest, spec.replace("    problemType: multi_label_classification\n", "")
                .replace("metricForBestModel: f1", "metricForBestModel: macro_f1"));
        Path config = tmp.resolve("model/config.json");
        Files.writeString(config, Files.readString(config).replace("{", "{\"problem_type\": \"multi_label_classification\", "));
        Path out = tmp.resolve("out");
        CliRun.Result trained = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, trained.code(), trained.err() + trained.out());
        assertTrue(trained.out().contains("'eval_f1': "), "multi-label's micro F1 in the eval log:\n" + trained.out());
        assertFalse(trained.out().contains("'eval_matthews_correlation'"), trained.out());
        assertEquals("multi_label_classification",
                JSON.readTree(out.resolve("final/config.json").toFile()).get("problem_type").asText());

        // The same checkpoint with a metric only single-label logs: refused before training, naming the source.
        Files.writeString(manifest, Files.readString(manifest).replace("metricForBestModel: macro_f1",
                "metricForBestModel: matthews_correlation"));
        Path refusedOut = tmp.resolve("refused");
        CliRun.Result refused = CliRun.run("run", manifest.toString(), "--output", refusedOut.toString(), "--no-progress-bar");
        assertEquals(2, refused.code(), refused.err() + refused.out());
        String message = refused.err() + refused.out();
        assertTrue(message.contains("spec.training.metricForBestModel must be one of loss, accuracy, f1, macro_f1"), message);
        assertTrue(message.contains(config.toString()), message);
        assertFalse(message.contains("\tat "), "no stack trace: " + message);
        assertFalse(Files.exists(refusedOut.resolve("checkpoint-3")), "nothing trained");
    }

    @Test
    void aCheckpointsProblemTypeThatDoesNotFitNumLabelsIsNotTaken() {
        TaskSpec task = new TaskSpec();
        task.numLabels = 1;
        assertEquals("regression", TaskRules.problemType(task, "single_label_classification"));
        assertEquals("regression", TaskRules.problemType(task, "multi_label_classification"));
        task.numLabels = 3;
        assertEquals("multi_label_classification", TaskRules.problemType(task, "multi_label_classification"));
        assertEquals("regression", TaskRules.problemType(task, "regression"));
        assertEquals("single_label_classification", TaskRules.problemType(task, null));
        task.problemType = "single_label_classification";
        assertEquals("single_label_classification", TaskRules.problemType(task, "regression"), "the spec wins");
    }

    private Path job(String modelType, String problemType) throws IOException {
        boolean multiLabel = problemType.equals("multi_label_classification");
        TinyJobFolder.writeModel(tmp, modelType);

        Path data = Files.createDirectories(tmp.resolve("data"));
        List<String> rows = new ArrayList<>();
        int row = 0;
        for (String line : Files.readAllLines(Path.of("examples/quickstart/data/train.jsonl")).subList(0, 64)) {
            ObjectNode json = (ObjectNode) JSON.readTree(line);
            String a = json.get("sentence1").asText();
            String b = json.get("sentence2").asText();
            int paraphrase = json.get("label").asInt();
            if (multiLabel) {
                var labels = json.putArray("label");
                if (row % 9 != 4) { // every ninth row: the empty set
                    labels.add(LABELS.get(paraphrase));
                }
                if (a.split(" ").length > 20) {
                    labels.add("long");
                }
            } else {
                json.put("label", Math.min(5.0, Math.round((5 * overlap(a, b) + paraphrase) * 100) / 100.0));
            }
            rows.add(JSON.writeValueAsString(json));
            row++;
        }
        Files.write(data.resolve("train.jsonl"), rows.subList(0, 48));
        Files.write(data.resolve("validation.jsonl"), rows.subList(48, 64));

        return TinyJobFolder.writeManifest(tmp, modelType + (multiLabel ? "-multilabel" : "-regression"), """
                problemType: %s
                numLabels: %d
                %stextFields: [sentence1, sentence2]
                labelField: label
                maxLength: 48
                """.formatted(problemType, multiLabel ? 3 : 1, multiLabel ? "labelNames: [" + String.join(", ", LABELS) + "]\n" : ""),
                TinyJobFolder.twoEpochs(16, 2) + "metricForBestModel: " + (multiLabel ? "f1" : "pearson") + "\n");
    }

    /** Jaccard overlap of the two sentences' lower-cased words. */
    private static double overlap(String a, String b) {
        Set<String> x = new HashSet<>(List.of(a.toLowerCase().split(" ")));
        Set<String> y = new HashSet<>(List.of(b.toLowerCase().split(" ")));
        Set<String> union = new HashSet<>(x);
        union.addAll(y);
        x.retainAll(y);
        return (double) x.size() / union.size();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
