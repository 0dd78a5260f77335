package dev.finetune.cli;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import dev.finetune.api.TrainerReport;
import ai.djl.Device;
import dev.finetune.trainer.TerminationHook;
import dev.finetune.trainer.TrainingDevice;
import dev.finetune.trainer.TrainingJob;
import dev.finetune.trainer.metrics.ProgressReporter;
import dev.finetune.trainer.metrics.TerminationMessage;
import dev.finetune.trainer.metrics.TrainerHttpServer;
import dev.finetune.trainer.metrics.TrainingMeters;
import dev.finetune.trainer.source.SourceResolver;
import dev.finetune.trainer.train.StopRequest;
import dev.finetune.trainer.train.TrainResult;
import dev.finetune.trainer.train.TrainingStopped;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What `run` and `train` share: metrics, /progress, the training job, exit codes and the final report. */
final class TrainingLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLauncher.class);

    /**
     * @param port serve /metrics, /progress and /healthz here while training; negative: no server
     * @param terminationLog where the final report goes (the pod's termination message); null: nowhere
     */
    record Settings(Path output, Path workspace, Path cacheDir, Path baseDir, int port, Path terminationLog,
            boolean progressBar, TrainingDevice.Request device) {}

    private TrainingLauncher() {}

    static int launch(FineTuneJob job, Settings settings, PrintStream out) {
        String name = job.getMetadata().getName();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProgressReporter progress = new ProgressReporter();
        TrainingMeters meters = new TrainingMeters(registry, name);
        SourceResolver sources = SourceResolver.fromEnvironment(settings.workspace(), settings.cacheDir(), settings.baseDir(),
                p -> progress.stage("Downloading", p.toString()));
        TrainerHttpServer server = null;
        int exitCode;
        StopRequest stop = new StopRequest();
        TerminationHook hook = TerminationHook.install(stop, saveDeadline(job));
        try {
            if (settings.port() >= 0) {
                Integer deadline = job.getSpec().progressDeadlineSeconds;
                server = new TrainerHttpServer(new InetSocketAddress(settings.port()), registry, progress,
                        deadline == null ? null : java.time.Duration.ofSeconds(deadline));
                LOG.info("Serving /metrics, /progress, /healthz and /livez on port {}", server.port());
            }
            // First: a pod that asked for a GPU and got none fails now, not after the download and tokenising.
            TrainingDevice.Visible visible = TrainingDevice.Visible.detect();
            Device device = TrainingDevice.select(settings.device(), visible);
            LOG.info("{}", TrainingDevice.describe(device, visible));
            TrainResult result = new TrainingJob(job, settings.output(), sources, progress, meters, List.of(), out,
                    settings.progressBar()).withStopRequest(stop).withDevice(device).run();
            progress.stage("Done", result.stoppedEarly() ? "stopped early at step " + result.globalStep() : null);
            exitCode = ExitCodes.OK;
        } catch (TrainingStopped e) {
            exitCode = ExitCodes.of(e);
            progress.stage("Stopped", e.getMessage());
            LOG.warn("Training {}", e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            exitCode = ExitCodes.of(e);
            String message = OutOfMemory.explain(e).orElse(ExitCodes.message(e));
            progress.stage("Failed", message);
            if (ExitCodes.isUserError(e)) {
                LOG.error("{}", message);
            } else {
                LOG.error("Training failed", e);
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        writeTerminationMessage(settings.terminationLog(), progress.snapshot());
        hook.close();
        return exitCode;
    }

    /** How long a termination signal may wait for the checkpoint: a little less than the kubelet's grace period. */
    static Duration saveDeadline(FineTuneJob job) {
        Integer grace = job.getSpec().terminationGracePeriodSeconds;
        long seconds = grace == null ? FineTuneJobSpec.DEFAULT_TERMINATION_GRACE_SECONDS : grace;
        return Duration.ofSeconds(Math.max(1, seconds - 5));
    }

    private static void writeTerminationMessage(Path file, TrainerReport report) {
        if (file == null) {
            return;
        }
        try {
            TerminationMessage.write(file, report);
        } catch (IOException e) {
            LOG.warn("Could not write the termination message to {}: {}", file, e.getMessage());
        }
    }
}
