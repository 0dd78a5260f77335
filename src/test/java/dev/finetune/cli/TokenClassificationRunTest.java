package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.trainer.checkpoint.AtomicFolder;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.model.TokenClassificationModel;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token classification through {@code run} and {@code predict} as a user would: a tiny random BERT (WordPiece) and
 * RoBERTa (byte-level BPE) on the NER example's rows; final/ is what AutoModelForTokenClassification loads, a rerun
 * trains nothing, and a run resumed from its first checkpoint ends with the straight run's weights and log.
 */
class TokenClassificationRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TAGS = List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");
    private static final Pattern EVAL = Pattern.compile("\\{'eval_loss'.*'epoch': [0-9.]+\\}");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void aTinyRandomModelTagsWordsSavesPredictsAndResumesExactly(String modelType) throws Exception {
        Path manifest = job(modelType);
        Path out = tmp.resolve("out");

        CliRun.Result first = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(first.out().contains("  Total optimization steps = 6"), first.out());
        List<String> evals = EVAL.matcher(first.out()).results().map(m -> m.group()).toList();
        assertEquals(2, evals.size(), first.out());
        for (String metric : List.of("'eval_precision': ", "'eval_recall': ", "'eval_f1': ", "'eval_accuracy': ")) {
            assertTrue(evals.get(1).contains(metric), evals.get(1));
        }

        Path finalDir = out.resolve("final");
        JsonNode config = JSON.readTree(finalDir.resolve("config.json").toFile());
        String family = modelType.equals("bert") ? "Bert" : "Roberta";
        assertEquals(family + "ForTokenClassification", config.get("architectures").get(0).asText());
        for (int i = 0; i < TAGS.size(); i++) {
            assertEquals(TAGS.get(i), config.get("id2label").get(String.valueOf(i)).asText());
        }
        try (NDManager manager = NDManager.newBaseManager();
                TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(finalDir, TAGS.size(), null, manager, 0)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport(), "final/ loads with no missing or unused keys");
        }

        // predict: one line per row, a tag per word, logits per token; with the evaluation's batches (the HF Trainer's
        // loss weighs each batch's token mean by its rows) its test_loss is the last eval_loss.
        Path predictions = tmp.resolve("predictions.jsonl");
        CliRun.Result predicted = CliRun.run("predict", "--model", finalDir.toString(), "--data", tmp.resolve("data/validation.jsonl").toString(),
                "--max-length", "48", "--batch-size", "8", "--output", predictions.toString());
        assertEquals(0, predicted.code(), predicted.err() + predicted.out());
        assertTrue(evals.get(1).contains(predicted.out().substring(predicted.out().indexOf("'test_loss': ") + 6,
                predicted.out().indexOf(", 'test_precision'"))), predicted.out() + " vs " + evals.get(1));
        List<String> lines = Files.readAllLines(predictions);
        List<String> rows = Files.readAllLines(tmp.resolve("data/validation.jsonl"));
        assertEquals(rows.size(), lines.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = JSON.readTree(rows.get(i));
            JsonNode line = JSON.readTree(lines.get(i));
            assertEquals(row.get("tokens").size(), line.get("predicted_tags").size(), lines.get(i));
            assertTrue(TAGS.contains(line.get("predicted_tags").get(0).asText()), lines.get(i));
            assertEquals(row.get("tokens").size(), line.get("labels").size());
            assertTrue(line.get("logits").size() > row.get("tokens").size(), "a token more than words at least (specials)");
            assertEquals(TAGS.size(), line.get("logits").get(0).size());
        }

        // Run again: nothing left to train.
        CliRun.Result second = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, second.code(), second.err() + second.out());
        assertFalse(second.out().contains("'eval_loss': "), second.out());

        // Resume from the first epoch's checkpoint (the newer one and final/ removed): the same weights and evaluation.
        Map<String, float[]> straight = weights(finalDir);
        AtomicFolder.deleteTree(out.resolve("checkpoint-6"));
        AtomicFolder.deleteTree(finalDir);
        CliRun.Result resumed = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        List<String> resumedEvals = EVAL.matcher(resumed.out()).results().map(m -> m.group()).toList();
        assertEquals(1, resumedEvals.size(), resumed.out());
        assertEquals(withoutTimings(evals.get(1)), withoutTimings(resumedEvals.get(0)));
        Map<String, float[]> again = weights(finalDir);
        assertEquals(straight.keySet(), again.keySet());
        for (String name : straight.keySet()) {
            assertArrayEquals(straight.get(name), again.get(name), 1e-6f, name);
        }
    }

    @Test
    void aRowWhoseTagsDoNotMatchItsWordsExitsTwoNamingTheLine() throws Exception {
        Path manifest = job("bert");
        Path train = tmp.resolve("data/train.jsonl");
        List<String> rows = new ArrayList<>(Files.readAllLines(train));
        rows.set(4, "{\"tokens\": [\"Anna\", \"ran\"], \"ner_tags\": [\"B-PER\"]}");
        Files.write(train, rows);

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(2, result.code(), result.err());
        assertTrue(result.err().contains(train + ":5: field 'ner_tags': 1 tags for 2 words"), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    @Test
    void aTokenTaskWithoutItsTagSetExitsTwo() throws Exception {
        Path manifest = job("bert");
        Files.writeString(manifest, Files.readString(manifest).replaceAll("    labelNames: .*\n", ""));

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(2, result.code(), result.err());
        assertTrue(result.err().contains("spec.task.labelNames is required for TokenClassification"), result.err());
    }

    private static String withoutTimings(String eval) {
        return eval.replaceAll("'eval_(runtime|samples_per_second|steps_per_second)': [0-9.]+, ", "");
    }

    private static Map<String, float[]> weights(Path dir) throws IOException {
        Map<String, float[]> out = new java.util.TreeMap<>();
        try (NDManager manager = NDManager.newBaseManager();
                SafetensorsReader reader = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            for (Map.Entry<String, NDArray> e : reader.readAll(manager).entrySet()) {
                out.put(e.getKey(), e.getValue().toFloatArray());
            }
        }
        return out;
    }

    /** A FineTuneJob for a tiny random {@code modelType} token classifier: 48 rows, batch 16, 2 epochs = 6 steps. */
    private Path job(String modelType) throws IOException {
        TinyJobFolder.writeModel(tmp, modelType);

        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        List<String> rows = Files.readAllLines(Path.of("examples/ner/data/train.jsonl"));
        Files.write(data.resolve("train.jsonl"), rows.subList(0, 48));
        Files.write(data.resolve("validation.jsonl"), Files.readAllLines(Path.of("examples/ner/data/validation.jsonl")).subList(0, 12));

        return TinyJobFolder.writeManifest(tmp, "ner-" + modelType, """
                type: TokenClassification
                tokensField: tokens
                tagsField: ner_tags
                labelNames: [%s]
                numLabels: %d
                maxLength: 48
                """.formatted(String.join(", ", TAGS), TAGS.size()), TinyJobFolder.twoEpochs(8, 3) + "metricForBestModel: f1\n");
    }
}
