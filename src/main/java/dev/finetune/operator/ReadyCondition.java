package dev.finetune.operator;

import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The health that GitOps tools read, in the kstatus convention (the one Flux and Argo CD's kstatus-based checks
 * follow): `Ready` True only once the job succeeded; while it works towards that, Ready False and `Reconciling`
 * True; a job that cannot get there by itself (failed), Ready False and `Stalled` True. A pod that cannot start
 * (image pull, missing Secret, no node with a free GPU) is named in Ready's reason and message, so that
 * `kubectl get ftj -o yaml` says why a Pending job waits without a look at its pod.
 */
final class ReadyCondition {
    static final String READY = "Ready";
    static final String RECONCILING = "Reconciling";
    static final String STALLED = "Stalled";

    /** Waiting reasons of the trainer container that only a change outside the pod resolves. */
    private static final Set<String> BLOCKING_WAITS = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff");

    private ReadyCondition() {}

    static void apply(FineTuneJobStatus status, Optional<Pod> pod, Long generation, Instant now) {
        List<dev.finetune.api.Condition> conditions = status.conditions;
        Phase phase = status.phase == null ? Phase.Pending : status.phase;
        switch (phase) {
            case Succeeded -> {
                StatusConditions.set(conditions, READY, true, "Succeeded", "training finished; the model is in final/", generation, now);
                StatusConditions.clear(conditions, RECONCILING, "Succeeded", generation, now);
                StatusConditions.clear(conditions, STALLED, "Succeeded", generation, now);
            }
            case Failed -> {
                String message = StatusConditions.find(conditions, StatusConditions.FAILED).map(c -> c.message).orElse("the job failed");
                String reason = StatusConditions.find(conditions, StatusConditions.FAILED).map(c -> c.reason).orElse("Failed");
                StatusConditions.set(conditions, READY, false, reason, message, generation, now);
                StatusConditions.clear(conditions, RECONCILING, "Failed", generation, now);
                StatusConditions.set(conditions, STALLED, true, reason, message, generation, now);
            }
            default -> {
                Optional<String[]> blocked = pod.flatMap(ReadyCondition::blocked);
                String reason = blocked.map(b -> b[0]).orElse(phase.name());
                String message = blocked.map(b -> b[1]).orElse(progressMessage(status));
                StatusConditions.set(conditions, READY, false, reason, message, generation, now);
                StatusConditions.set(conditions, RECONCILING, true, reason, message, generation, now);
                StatusConditions.clear(conditions, STALLED, reason, generation, now);
            }
        }
    }

    /** Why the pod cannot start: [reason, message], from the scheduler or the kubelet; empty when it is not stuck. */
    static Optional<String[]> blocked(Pod pod) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        List<PodCondition> podConditions = pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
        for (PodCondition c : podConditions) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return Optional.of(new String[] {"Unschedulable", "pod " + pod.getMetadata().getName() + ": " + c.getMessage()});
            }
        }
        List<ContainerStatus> containers = pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
        for (ContainerStatus container : containers) {
            ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
            if (waiting != null && BLOCKING_WAITS.contains(waiting.getReason())) {
                return Optional.of(new String[] {waiting.getReason(), "pod " + pod.getMetadata().getName() + ", container "
                        + container.getName() + ": " + (waiting.getMessage() == null ? waiting.getReason() : waiting.getMessage())});
            }
        }
        return Optional.empty();
    }

    private static String progressMessage(FineTuneJobStatus status) {
        if (status.phase == Phase.Running && status.progress != null && status.progress.percent != null) {
            return "training, " + status.progress.percent + "% of the steps done";
        }
        return switch (status.phase == null ? Phase.Pending : status.phase) {
            case Running -> "training";
            case Suspended -> "suspended by spec.suspend";
            default -> "waiting for the training pod to start";
        };
    }
}
