package dev.finetune.operator;

import dev.finetune.api.FineTuneJobSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/**
 * The job's pods that were disrupted rather than failed by themselves, by the reason of their DisruptionTarget
 * condition. The Job's pod failure policy ignores every disrupted pod (it cannot match a reason), which is right
 * for a preemption (PreemptionByScheduler, Kueue's, EvictionByEvictionAPI, DeletionByTaintManager) but not for a
 * kubelet node-pressure eviction (TerminationByKubelet): that pod brought it on itself (it used more memory or
 * disk than the node could give) and would be retried forever. So the operator counts those as failures.
 */
record Disruptions(int preemptions, int evictions) {
    static final String NODE_PRESSURE = "TerminationByKubelet";

    static Disruptions of(List<Pod> pods) {
        int preemptions = 0;
        int evictions = 0;
        for (Pod pod : pods) {
            if (pod.getStatus() == null || !"Failed".equals(pod.getStatus().getPhase()) || pod.getStatus().getConditions() == null) {
                continue;
            }
            for (var condition : pod.getStatus().getConditions()) {
                if ("DisruptionTarget".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    if (NODE_PRESSURE.equals(condition.getReason())) {
                        evictions++;
                    } else {
                        preemptions++;
                    }
                    break;
                }
            }
        }
        return new Disruptions(preemptions, evictions);
    }

    /** Failures the Job counted plus the node-pressure evictions it ignored. */
    int failures(Job job) {
        int counted = job == null || job.getStatus() == null || job.getStatus().getFailed() == null ? 0 : job.getStatus().getFailed();
        return counted + evictions;
    }

    /** Whether the failures, evictions included, went past spec.backoffLimit while the Job itself goes on. */
    boolean exceedBackoffLimit(Job job, FineTuneJobSpec spec) {
        int limit = spec.backoffLimit == null ? 3 : spec.backoffLimit;
        return evictions > 0 && failures(job) > limit;
    }
}
