package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, end to end: run the quickstart, predict with its final model, run it again. */
class QuickstartTest {
    private static final Pattern EVAL_LOSS = Pattern.compile("'eval_loss': ([0-9.]+)");
    private static final Pattern TEST_LOSS = Pattern.compile("'test_loss': ([0-9.]+)");

    @TempDir
    Path tmp;

    @Test
    void theQuickstartTrainsSavesPredictsAndResumes() throws Exception {
        Path out = tmp.resolve("quickstart");
        String first = CliRun.stdoutOf("run", "examples/quickstart.yaml", "--output", out.toString(),
                "--no-progress-bar");
        assertTrue(first.contains("  Total optimization steps = 114"), first);
        List<String> evalLosses = all(EVAL_LOSS, first);
        assertEquals(3, evalLosses.size(), "one evaluation per epoch: " + first);
        assertTrue(first.contains("'train_loss': "), first);
        try (Stream<Path> entries = Files.list(out)) {
            assertEquals(List.of("checkpoint-114", "checkpoint-76", "final"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "saveTotalLimit 2 keeps two checkpoints");
        }
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.txt")) {
            assertTrue(Files.isRegularFile(out.resolve("final").resolve(file)), file);
        }

        // predict with the same maxLength reproduces the last evaluation exactly.
        Path predictions = tmp.resolve("predictions.jsonl");
        String predicted = CliRun.stdoutOf("predict", "--model", out.resolve("final").toString(),
                "--data", "examples/quickstart/data/validation.jsonl", "--max-length", "64", "--output", predictions.toString());
        assertEquals(evalLosses.get(2), all(TEST_LOSS, predicted).get(0));
        assertEquals(150, Files.readAllLines(predictions).size());

        // A second run finds the finished run's last checkpoint and only exports final/ again.
        String second = CliRun.stdoutOf("run", "examples/quickstart.yaml", "--output", out.toString(),
                "--no-progress-bar");
        assertTrue(all(EVAL_LOSS, second).isEmpty(), "nothing left to train: " + second);
        assertTrue(Files.isRegularFile(out.resolve("final").resolve("model.safetensors")));
    }

    private static List<String> all(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.results().map(r -> r.group(1)).toList();
    }
}
