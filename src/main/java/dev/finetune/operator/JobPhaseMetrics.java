package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.Phase;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The gauge finetune_jobs{phase}: FineTuneJobs per phase, counted from the operator's informer cache. */
public class JobPhaseMetrics {
    private volatile ResourceCache<FineTuneJob> cache;

    public JobPhaseMetrics(MeterRegistry registry) {
        for (Phase phase : Phase.values()) {
            Gauge.builder("finetune_jobs", () -> count(phase))
                    .description("FineTuneJobs by phase")
                    .tag("phase", phase.name())
                    .register(registry);
        }
    }

    /** Called once the controller's cache exists. */
    public void countFrom(ResourceCache<FineTuneJob> cache) {
        this.cache = cache;
    }

    long count(Phase phase) {
        ResourceCache<FineTuneJob> current = cache;
        if (current == null) {
            return 0;
        }
        return current.list()
                .filter(j -> (j.getStatus() == null || j.getStatus().phase == null ? Phase.Pending : j.getStatus().phase) == phase)
                .count();
    }
}
