package dev.finetune.cli;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.ManifestReader;
import dev.finetune.api.TrainerReport;
import dev.finetune.trainer.checkpoint.StorageException;
import dev.finetune.trainer.checkpoint.WritableOutput;
import dev.finetune.operator.FineTuneJobValidator;
import dev.finetune.trainer.TrainingDevice;
import dev.finetune.trainer.metrics.TerminationMessage;
import dev.finetune.trainer.source.SourceResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `train`: what the training pod runs, with the job the operator put in its ConfigMap. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Run a FineTuneJob's training inside its pod: serves /metrics, /progress and /healthz.")
final class TrainCommand implements Callable<Integer> {
    /** In a pod the folder is on the job's volume: what usually makes it unwritable there. */
    static final String POD_VOLUME_HINT = " (the job's volume at /workspace: check that the claim is not mounted read-only"
            + " and that the pod's securityContext.fsGroup lets the trainer's user write it)";

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/finetune/job.yaml",
            description = "The FineTuneJob (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--workspace", paramLabel = "DIR", defaultValue = "/workspace",
            description = "The job's volume: pvc:// URIs, the Hub cache and the output live here (default: ${DEFAULT-VALUE}).")
    Path workspace;

    @Option(names = "--output", paramLabel = "DIR", description = "Default: <workspace>/<metadata.name>.")
    Path output;

    @Option(names = "--port", defaultValue = "8080", description = "Port of /metrics, /progress and /healthz (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--termination-log", paramLabel = "FILE", defaultValue = "/dev/termination-log",
            description = "Where the final report goes for the operator (default: ${DEFAULT-VALUE}).")
    Path terminationLog;

    @Override
    public Integer call() {
        FineTuneJob job;
        try {
            job = ManifestReader.read(config);
        } catch (ManifestReader.ManifestException e) {
            System.err.println("error: " + e.getMessage());
            reportInvalidConfig(e.getMessage());
            return ExitCodes.INVALID;
        }
        // The operator checked the job already; an object it never validated (or an older operator) could still
        // ask for what the trainer cannot do, e.g. several GPUs.
        List<String> problems = FineTuneJobValidator.forLocalRun().validate(job);
        if (!problems.isEmpty()) {
            String message = config + ": " + String.join("; ", problems);
            System.err.println("error: " + message);
            reportInvalidConfig(message);
            return ExitCodes.INVALID;
        }
        Path root = workspace.toAbsolutePath();
        Path out = output != null ? output.toAbsolutePath() : root.resolve(job.getMetadata().getName());
        try {
            WritableOutput.check(out, POD_VOLUME_HINT); // before any download: a run that cannot save must not start
        } catch (StorageException e) {
            System.err.println("error: " + e.getMessage());
            reportInvalidConfig(e.getMessage());
            return ExitCodes.INVALID;
        }
        Path cacheDir = SourceResolver.hubCache(root.resolve(".cache").resolve("hub"));
        TrainingLauncher.Settings settings = new TrainingLauncher.Settings(out, root, cacheDir, root, port, terminationLog,
                false, TrainingDevice.Request.pod(job.getSpec().resources == null ? 0 : job.getSpec().resources.gpus));
        return TrainingLauncher.launch(job, settings, System.out);
    }

    private void reportInvalidConfig(String message) {
        TrainerReport report = new TrainerReport();
        report.stage = "Failed";
        report.message = message;
        try {
            TerminationMessage.write(terminationLog, report);
        } catch (IOException ignored) {
            // Outside a pod there is no termination log; the message is on stderr already.
        }
    }
}
