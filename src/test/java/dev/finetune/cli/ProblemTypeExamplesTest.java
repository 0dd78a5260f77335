package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/multilabel.yaml and examples/regression.yaml as the README runs them, as {@link QuickstartTest} runs the
 * quickstart: train, predict with final/ (which reproduces the last evaluation), run again (nothing left to train).
 */
class ProblemTypeExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theMultiLabelExampleTrainsAndPredictsLabelSets() throws Exception {
        Path out = tmp.resolve("multilabel");
        String first = CliRun.stdoutOf("run", "examples/multilabel.yaml", "--output", out.toString(), "--no-progress-bar");
        assertTrue(first.contains("  Total optimization steps = 48"), first);
        List<Double> f1 = all("eval_f1", first);
        assertEquals(8, f1.size(), "one evaluation per epoch: " + first);
        assertEquals(8, all("eval_macro_f1", first).size());
        assertEquals(8, all("eval_accuracy", first).size());
        // Training moved it (a random 2-layer model on 48 rows: the example shows the pipeline, not a useful model).
        List<Double> loss = all("eval_loss", first);
        assertTrue(loss.get(7) < loss.get(0) && f1.get(7) > f1.get(0), "eval_loss " + loss + ", eval_f1 " + f1);
        assertEquals("multi_label_classification",
                JSON.readTree(out.resolve("final/config.json").toFile()).get("problem_type").asText());

        Path predictions = tmp.resolve("predictions.jsonl");
        String predicted = CliRun.stdoutOf("predict", "--model", out.resolve("final").toString(), "--data",
                "examples/multilabel/data/validation.jsonl", "--text-fields", "text", "--label-field", "labels", "--max-length", "48", "--output", predictions.toString());
        assertEquals(all("eval_loss", first).get(7), all("test_loss", predicted).get(0), 1e-6);
        assertEquals(f1.get(7), all("test_f1", predicted).get(0), 1e-12);
        List<String> rows = Files.readAllLines(predictions);
        assertEquals(16, rows.size());
        for (String line : rows) {
            JsonNode row = JSON.readTree(line);
            assertEquals(4, row.get("probabilities").size(), line);
            assertTrue(row.get("predicted_labels").isArray() && row.get("labels").isArray(), line);
        }

        String second = CliRun.stdoutOf("run", "examples/multilabel.yaml", "--output", out.toString(), "--no-progress-bar");
        assertTrue(all("eval_loss", second).isEmpty(), "nothing left to train: " + second);
    }

    @Test
    void theRegressionExampleTrainsAndPredictsScores() throws Exception {
        Path out = tmp.resolve("regression");
        String first = CliRun.stdoutOf("run", "examples/regression.yaml", "--output", out.toString(), "--no-progress-bar");
        assertTrue(first.contains("  Total optimization steps = 48"), first);
        List<Double> pearson = all("eval_pearson", first);
        assertEquals(8, pearson.size(), "one evaluation per epoch: " + first);
        assertEquals(8, all("eval_spearmanr", first).size());
        assertEquals(8, all("eval_mse", first).size());
        // Training moved it towards the scores (a random 2-layer model on 48 pairs learns their mean, not their meaning:
        // the example shows the pipeline, as the quickstart does).
        List<Double> mse = all("eval_mse", first);
        assertTrue(mse.get(7) < mse.get(0), "eval_mse " + mse);
        assertEquals("regression", JSON.readTree(out.resolve("final/config.json").toFile()).get("problem_type").asText());

        Path predictions = tmp.resolve("predictions.jsonl");
        String predicted = CliRun.stdoutOf("predict", "--model", out.resolve("final").toString(), "--data",
                "examples/regression/data/validation.jsonl", "--max-length", "48", "--output", predictions.toString());
        assertEquals(all("eval_loss", first).get(7), all("test_loss", predicted).get(0), 1e-6);
        assertEquals(pearson.get(7), all("test_pearson", predicted).get(0), 1e-6);
        List<String> rows = Files.readAllLines(predictions);
        assertEquals(16, rows.size());
        for (String line : rows) {
            JsonNode row = JSON.readTree(line);
            assertTrue(row.get("prediction").isNumber() && row.get("label").isNumber(), line);
        }

        String second = CliRun.stdoutOf("run", "examples/regression.yaml", "--output", out.toString(), "--no-progress-bar");
        assertTrue(all("eval_loss", second).isEmpty(), "nothing left to train: " + second);
    }

    private static List<Double> all(String key, String text) {
        Matcher m = Pattern.compile("'" + key + "': ([-0-9.eE+]+|nan)").matcher(text);
        return m.results().map(r -> r.group(1).equals("nan") ? Double.NaN : Double.parseDouble(r.group(1))).toList();
    }
}
