package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Posts milestones as core/v1 Events on the FineTuneJob (what `kubectl describe ftj` shows). */
public class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(FineTuneJob job, MilestoneEvents.Milestone milestone) {
        String now = Instant.now().toString();
        var event = new EventBuilder()
                .withNewMetadata()
                    .withGenerateName(job.getMetadata().getName() + ".")
                    .withNamespace(job.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(job.getApiVersion())
                    .withKind(job.getKind())
                    .withName(job.getMetadata().getName())
                    .withNamespace(job.getMetadata().getNamespace())
                    .withUid(job.getMetadata().getUid())
                .endInvolvedObject()
                .withType(milestone.type())
                .withReason(milestone.reason())
                .withMessage(milestone.message())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent("finetune-operator").endSource()
                .build();
        try {
            client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy: losing one must not fail the reconcile.
            LOG.warn("could not record event {} on {}: {}", milestone.reason(), job.getMetadata().getName(), e.getMessage());
        }
    }
}
