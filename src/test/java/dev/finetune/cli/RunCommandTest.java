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
    void anOutputFolderThatCannotBeCreatedExitsTwoInOneLineBeforeAnyDownload() throws IOException {
        // The model is on a Hub that does not exist: reaching it would end otherwise (and only after retries).
        String quickstart = Files.readString(Path.of("examples", "quickstart.yaml"));
        Path manifest = copyQuickstart(quickstart.replace("uri: quickstart/model", "uri: hf://nobody/nothing"));
        Path blocker = Files.writeString(tmp.resolve("a-file"), "x");

        Result result = run(manifest, blocker.resolve("out"));

        assertEquals(2, result.code);
        assertEquals("error: output folder " + blocker.resolve("out").toAbsolutePath()
                + " cannot be created: a path above it is a file, not a folder", result.err.strip());
    }

    @Test
    void withoutOutputARunGoesToItsSpecsRunFolderAsInAPodAndTheReadmeNamesIt() throws Exception {
        var job = dev.finetune.api.ManifestReader.read(Path.of("examples", "quickstart.yaml"));
        Path out = RunCommand.defaultOutput(Path.of("/work"), job);
        String runId = dev.finetune.api.RunId.of(job.getSpec());
        assertEquals(Path.of("/work", "runs", "quickstart", runId), out);
        job.getSpec().training.learningRate = 1e-4;
        assertFalse(out.equals(RunCommand.defaultOutput(Path.of("/work"), job)), "a changed spec trains beside the old run");
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("--model runs/quickstart/" + runId + "/final"), "README's predict command names the quickstart's run folder " + runId);
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
