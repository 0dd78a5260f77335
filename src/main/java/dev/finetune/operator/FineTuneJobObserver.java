package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import dev.finetune.api.Progress;
import dev.finetune.api.TrainerReport;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns what the cluster shows of a job (its batch Job, the Job's pods) and what the trainer reports
 * into the FineTuneJob's status. Pure: the same inputs give the same status, so it is tested without a
 * cluster. The old status is the starting point: times, restarts and the last report carry over.
 */
public final class FineTuneJobObserver {
    private FineTuneJobObserver() {}

    /** The newest pod of the Job: the one whose state is the job's state. */
    public static Optional<Pod> currentPod(List<Pod> pods) {
        return pods.stream().max(Comparator
                .comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
                .thenComparing(p -> p.getMetadata().getName()));
    }

    public static boolean isRunning(Pod pod) {
        return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    }

    /**
     * @param job the FineTuneJob, whose status is the old one (not changed)
     * @param batchJob its Job, or null before it exists
     * @param pods the Job's pods
     * @param liveReport the running trainer's /progress, when it answered
     */
    public static FineTuneJobStatus observe(FineTuneJob job, Job batchJob, List<Pod> pods,
            Optional<TrainerReport> liveReport, Instant now) {
        FineTuneJobStatus status = copy(job.getStatus());
        Long generation = job.getMetadata().getGeneration();
        status.observedGeneration = generation;
        boolean suspendRequested = Boolean.TRUE.equals(job.getSpec().suspend);
        if (batchJob == null) {
            status.phase = suspendRequested ? Phase.Suspended : Phase.Pending;
            return status;
        }
        status.jobName = batchJob.getMetadata().getName();
        StatusConditions.set(status.conditions, StatusConditions.CREATED, true, "JobCreated",
                "Job " + status.jobName + " created", generation, now);
        var jobStatus = batchJob.getStatus();
        Optional<JobCondition> complete = jobCondition(batchJob, "Complete");
        Optional<JobCondition> failed = jobCondition(batchJob, "Failed");
        // Each failed pod was followed by a retry, except the one that failed the Job.
        int failedPods = jobStatus == null || jobStatus.getFailed() == null ? 0 : jobStatus.getFailed();
        Disruptions disruptions = Disruptions.of(pods);
        boolean evictedTooOften = failed.isEmpty() && disruptions.exceedBackoffLimit(batchJob, job.getSpec());
        int failures = disruptions.failures(batchJob);
        int retries = Math.max(0, failed.isPresent() || evictedTooOften ? failures - 1 : failures);
        status.restarts = Math.max(retries, status.restarts == null ? 0 : status.restarts);
        status.preemptions = Math.max(disruptions.preemptions(), status.preemptions == null ? 0 : status.preemptions);
        status.evictions = Math.max(disruptions.evictions(), status.evictions == null ? 0 : status.evictions);

        Optional<Pod> pod = currentPod(pods);
        Optional<TrainerReport> report = liveReport.isPresent() ? liveReport : pod.flatMap(FineTuneJobObserver::finalReport);
        report.ifPresent(r -> apply(r, status));

        if (complete.isPresent()) {
            status.phase = Phase.Succeeded;
            status.completionTime = firstNonNull(status.completionTime,
                    jobStatus.getCompletionTime(), complete.get().getLastTransitionTime(), now.toString());
            finishProgress(status);
            StatusConditions.set(status.conditions, StatusConditions.SUCCEEDED, true, "TrainingComplete",
                    report.map(r -> r.message).orElse("training finished"), generation, now);
        } else if (failed.isPresent()) {
            status.phase = Phase.Failed;
            status.completionTime = firstNonNull(status.completionTime, failed.get().getLastTransitionTime(), now.toString());
            String reason = failed.get().getReason() == null ? "JobFailed" : failed.get().getReason();
            String message = report.map(r -> r.message).filter(m -> !m.isBlank())
                    .or(() -> Optional.ofNullable(failed.get().getMessage()))
                    .orElse("the training Job failed");
            int exitCode = pod.flatMap(FineTuneJobObserver::terminated).map(ContainerStateTerminated::getExitCode).orElse(-1);
            if (exitCode >= 0) {
                message = message + " (exit code " + exitCode + ")";
            }
            StatusConditions.set(status.conditions, StatusConditions.FAILED, true, reason, message, generation, now);
        } else if (evictedTooOften) {
            // The Job ignores these pods (its failure policy cannot tell them from preemptions): the operator fails
            // the job and stops the Job (the reconciler suspends it).
            status.phase = Phase.Failed;
            status.completionTime = firstNonNull(status.completionTime, now.toString());
            StatusConditions.set(status.conditions, StatusConditions.FAILED, true, "BackoffLimitExceeded",
                    failures + " pods failed, more than spec.backoffLimit " + (job.getSpec().backoffLimit == null ? 3 : job.getSpec().backoffLimit)
                            + "; " + disruptions.evictions() + " of them evicted by the kubelet for node pressure (memory or disk):"
                            + " raise spec.resources.limits or lower the batch size", generation, now);
        } else if (suspendRequested) {
            status.phase = Phase.Suspended;
        } else if (pod.filter(FineTuneJobObserver::isRunning).isPresent()) {
            status.phase = Phase.Running;
            status.startTime = firstNonNull(status.startTime, pod.get().getStatus().getStartTime(), now.toString());
        } else {
            status.phase = Phase.Pending;
        }

        boolean running = status.phase == Phase.Running;
        if (running) {
            // The trainer's stage (Downloading, Tokenizing, Training, ...) as the reason, its message (bytes and
            // rate of a download) in the message; a missed /progress keeps what the condition said.
            String podName = pod.get().getMetadata().getName();
            Optional<TrainerReport> stage = liveReport.filter(r -> r.stage != null && !r.stage.isBlank());
            if (stage.isPresent()) {
                TrainerReport r = stage.get();
                String message = "pod " + podName + ": " + r.stage.toLowerCase(Locale.ROOT)
                        + (r.message == null || r.message.isBlank() ? "" : " " + r.message);
                StatusConditions.set(status.conditions, StatusConditions.RUNNING, true, r.stage, message, generation, now);
            } else if (!StatusConditions.isTrue(status.conditions, StatusConditions.RUNNING)) {
                StatusConditions.set(status.conditions, StatusConditions.RUNNING, true, "PodRunning",
                        "pod " + podName + " is training", generation, now);
            }
        } else {
            StatusConditions.clear(status.conditions, StatusConditions.RUNNING, status.phase.name(), generation, now);
        }
        if (status.phase == Phase.Suspended) {
            StatusConditions.set(status.conditions, StatusConditions.SUSPENDED, true, "SuspendedBySpec",
                    "spec.suspend is true; resuming continues from the latest checkpoint", generation, now);
        } else {
            StatusConditions.clear(status.conditions, StatusConditions.SUSPENDED, "Resumed", generation, now);
        }
        ReadyCondition.apply(status, pod, generation, now);
        return status;
    }

    /** Copies the report's non-empty parts onto the status (a report without metrics keeps the last ones). */
    static void apply(TrainerReport report, FineTuneJobStatus status) {
        if (report.progress != null) {
            status.progress = report.progress;
        }
        if (report.metrics != null) {
            status.metrics = report.metrics;
        }
        if (report.checkpoints != null) {
            status.checkpoints = report.checkpoints;
        }
        if (report.sources != null) {
            status.sources = report.sources;
        }
    }

    private static void finishProgress(FineTuneJobStatus status) {
        if (status.progress == null) {
            status.progress = new Progress();
        }
        status.progress.percent = 100.0;
        status.progress.etaSeconds = 0L;
        if (status.progress.totalSteps != null) {
            status.progress.step = status.progress.totalSteps;
        }
    }

    static Optional<TrainerReport> finalReport(Pod pod) {
        return terminated(pod).flatMap(t -> TrainerProgressClient.parseTerminationMessage(t.getMessage()));
    }

    static Optional<ContainerStateTerminated> terminated(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> ResourceNames.TRAINER_CONTAINER.equals(c.getName()))
                .map(ContainerStatus::getState)
                .filter(s -> s != null && s.getTerminated() != null)
                .map(s -> s.getTerminated())
                .findFirst();
    }

    static Optional<JobCondition> jobCondition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    static FineTuneJobStatus copy(FineTuneJobStatus status) {
        return status == null ? new FineTuneJobStatus() : TrainerProgressClient.JSON.convertValue(status, FineTuneJobStatus.class);
    }

    /** Whether two statuses would serialise alike (a patch is only sent when they differ). */
    public static boolean same(FineTuneJobStatus a, FineTuneJobStatus b) {
        return TrainerProgressClient.JSON.valueToTree(a == null ? new FineTuneJobStatus() : a)
                .equals(TrainerProgressClient.JSON.valueToTree(b == null ? new FineTuneJobStatus() : b));
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
