package dev.finetune.operator;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import dev.finetune.api.FineTuneJob;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.Map;

/** A Service in front of the trainer's port 8080, for Prometheus (annotations or a ServiceMonitor). */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class MetricsServiceDependent extends CRUDKubernetesDependentResource<Service, FineTuneJob> {
    public MetricsServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(FineTuneJob primary, Context<FineTuneJob> context) {
        return desired(DesiredInput.from(context).job());
    }

    /** By the fields desired() sets, quantities by amount: server defaults and allocations are no difference. */
    @Override
    public Matcher.Result<Service> match(Service actual, Service desired, FineTuneJob primary, Context<FineTuneJob> context) {
        return Matcher.Result.computed(OwnedFieldsMatcher.matches(desired, actual), desired);
    }

    /** A merge patch of the owned fields: a replace would drop what the server set (e.g. clusterIP). */
    @Override
    public Service update(Service actual, Service desired, FineTuneJob primary, Context<FineTuneJob> context) {
        return OwnedFieldsMatcher.patch(context.getClient(), actual, desired);
    }

    public static Service desired(FineTuneJob job) {
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(ResourceNames.service(job))
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(ResourceNames.labels(job))
                    .withAnnotations(TrainingJobDependent.prometheusAnnotations())
                .endMetadata()
                .withNewSpec()
                    .withSelector(Map.of(ResourceNames.JOB_LABEL, job.getMetadata().getName()))
                    .addNewPort()
                        .withName("metrics")
                        .withPort(OperatorSettings.TRAINER_PORT)
                        .withNewTargetPort("metrics")
                        .withProtocol("TCP")
                    .endPort()
                .endSpec()
                .build();
    }
}
