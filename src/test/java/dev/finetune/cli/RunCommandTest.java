package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `run` refuses a job the operator would refuse, with the operator's field-named message, before training. */
class RunCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aSemanticallyInvalidJobExitsTwoWithTheOperatorsMessageAndTrainsNothing() throws IOException {
        // Valid for the schema, refused by FineTuneJobValidator: evaluation each epoch without an eval split.
        String quickstart = Files.readString(Path.of("examples", "quickstart.yaml"));
        Path manifest = copyQuickstart(quickstart.replace("    evalSplit: validation\n", ""));
        Path output = tmp.resolve("out");

        Result result = run(manifest, output);

        assertEquals(2, result.code);
        assertTrue(result.err.contains("spec.dataset.evalSplit is required when spec.training.evalStrategy is epoch"), result.err);
        assertFalse(Files.exists(output), "nothing is trained for an invalid job");
    }

    @Test
    void aTokenSecretIsNotLookedUpAndRelativeUrisStayAllowed() throws IOException {
        // No cluster to hold the Secret: only the other problems are reported (here a bad learning rate).
        String quickstart = Files.readString(Path.of("examples", "quickstart.yaml"));
        Path manifest = copyQuickstart(quickstart
                .replace("    initialization: random\n", "    initialization: random\n    tokenSecretRef: {name: hf-token, key: token}\n")
                .replace("learningRate: 1.0e-3", "learningRate: 0.0"));

        Result result = run(manifest, tmp.resolve("out"));

        assertEquals(2, result.code);
        assertTrue(result.err.contains("spec.training.learningRate must be > 0"), result.err);
        assertFalse(result.err.contains("tokenSecretRef"), result.err);
        assertFalse(result.err.contains("spec.model.uri") || result.err.contains("spec.dataset.uri"), result.err);
    }

    @Test
    void moreThanOneGpuIsRefusedUntilDataParallelTrainingExists() throws IOException {
        String quickstart = Files.readString(Path.of("examples", "quickstart.yaml"));
        Path manifest = copyQuickstart(quickstart.replace("gpus: 0", "gpus: 2"));
        Path output = tmp.resolve("out");

        Result result = run(manifest, output);

        assertEquals(2, result.code);
        assertTrue(result.err.contains("spec.resources.gpus must be 0 or 1 (got 2)"), result.err);
        assertFalse(Files.exists(output));
    }

    /** The manifest next to a copy of the quickstart's model and data, so that its relative URIs resolve as in examples/. */
    private Path copyQuickstart(String yaml) throws IOException {
        Path source = Path.of("examples", "quickstart");
        try (var files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = tmp.resolve("quickstart").resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Path manifest = tmp.resolve("job.yaml");
        Files.writeString(manifest, yaml);
        return manifest;
    }

    private record Result(int code, String err) {}

    private static Result run(Path manifest, Path output) {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("run", manifest.toString(), "--output", output.toString(), "--no-progress-bar");
        return new Result(code, err.toString());
    }
}
