package dev.finetune.cli;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.RunId;
import dev.finetune.api.ManifestReader;
import dev.finetune.operator.FineTuneJobValidator;
import dev.finetune.trainer.checkpoint.StorageException;
import dev.finetune.trainer.checkpoint.WritableOutput;
import dev.finetune.trainer.TrainingDevice;
import dev.finetune.trainer.source.SourceResolver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `run JOB.yaml`: the FineTuneJob trained on this machine, no cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train a FineTuneJob manifest on this machine, without a cluster.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB.yaml", description = "A FineTuneJob manifest.")
    Path manifest;

    @Option(names = "--output", paramLabel = "DIR", description = "Checkpoints and final/ go here (default: runs/<metadata.name>/run-<hash of the training spec>, as in a pod).")
    Path output;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Cache of Hub downloads (default: $HF_HUB_CACHE or ~/.cache/finetune/hub).")
    Path cacheDir;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Also serve /metrics, /progress and /healthz on this port (default: off).")
    int metricsPort;

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N",
            description = "Train here (default: the first GPU when there is one, else the CPU).")
    String device;

    @Option(names = "--no-progress-bar", description = "Log lines only, no progress bar.")
    boolean noProgressBar;

    @Override
    public Integer call() {
        FineTuneJob job;
        try {
            job = ManifestReader.read(manifest);
        } catch (ManifestReader.ManifestException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return ExitCodes.INVALID;
        }
        // The operator's checks before any download or training, with the message its condition would carry.
        List<String> problems = FineTuneJobValidator.forLocalRun().validate(job);
        if (!problems.isEmpty()) {
            spec.commandLine().getErr().println("error: " + manifest + ": " + String.join("; ", problems));
            return ExitCodes.INVALID;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path out = output != null ? output : defaultOutput(cwd, job);
        try {
            WritableOutput.check(out, ""); // before any download: a run that cannot save must not start
        } catch (StorageException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return ExitCodes.INVALID;
        }
        TrainingLauncher.Settings settings = new TrainingLauncher.Settings(out.toAbsolutePath(), cwd, cacheDir(),
                manifest.toAbsolutePath().getParent(), metricsPort, null, !noProgressBar, TrainingDevice.Request.local(device));
        return TrainingLauncher.launch(job, settings, System.out);
    }

    /** The pod's layout (<job>/<run id>): the same spec resumes, a changed one trains beside the old run. */
    static Path defaultOutput(Path cwd, FineTuneJob job) {
        return cwd.resolve("runs").resolve(job.getMetadata().getName()).resolve(RunId.of(job.getSpec()));
    }

    private Path cacheDir() {
        return cacheDir != null ? cacheDir.toAbsolutePath()
                : SourceResolver.hubCache(Path.of(System.getProperty("user.home"), ".cache", "finetune", "hub"));
    }
}
