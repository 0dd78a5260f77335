package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/ner.yaml as the README gives it: it trains, learns the entities, predicts and resumes. */
class NerExampleTest {
    private static final Pattern EVAL_LOSS = Pattern.compile("'eval_loss': ([0-9.]+)");
    private static final Pattern EVAL_F1 = Pattern.compile("'eval_f1': ([0-9.]+)");
    private static final Pattern TEST_LOSS = Pattern.compile("'test_loss': ([0-9.]+)");

    @TempDir
    Path tmp;

    @Test
    void theNerExampleTrainsLearnsEntitiesPredictsAndResumes() throws Exception {
        Path out = tmp.resolve("ner");
        String first = CliRun.stdoutOf("run", "examples/ner.yaml", "--output", out.toString(),
                "--no-progress-bar");
        assertTrue(first.contains("  Num examples = 64"), first);
        assertTrue(first.contains("  Total optimization steps = 20"), first);
        List<String> losses = all(EVAL_LOSS, first);
        List<String> f1 = all(EVAL_F1, first);
        assertEquals(5, losses.size(), first);
        // The random model learns the template entities: entity F1 from 0 after one epoch to well above chance.
        assertTrue(Double.parseDouble(f1.get(4)) > 0.8, "final eval_f1 " + f1);
        assertTrue(Double.parseDouble(losses.get(4)) < Double.parseDouble(losses.get(0)) / 2, "eval_loss falls: " + losses);

        Path predictions = tmp.resolve("predictions.jsonl");
        String predicted = CliRun.stdoutOf("predict", "--model", out.resolve("final").toString(),
                "--data", "examples/ner/data/validation.jsonl", "--max-length", "64", "--output", predictions.toString());
        assertEquals(losses.get(4), all(TEST_LOSS, predicted).get(0));
        assertEquals(24, Files.readAllLines(predictions).size());

        String second = CliRun.stdoutOf("run", "examples/ner.yaml", "--output", out.toString(),
                "--no-progress-bar");
        assertTrue(all(EVAL_LOSS, second).isEmpty(), "nothing left to train: " + second);
    }

    private static List<String> all(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.results().map(r -> r.group(1)).toList();
    }
}
