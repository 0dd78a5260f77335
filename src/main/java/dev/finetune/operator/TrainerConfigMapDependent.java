package dev.finetune.operator;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import dev.finetune.api.FineTuneJob;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The ConfigMap mounted at /etc/finetune: the resolved job as job.yaml. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class TrainerConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, FineTuneJob> {
    public TrainerConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(FineTuneJob primary, Context<FineTuneJob> context) {
        DesiredInput input = DesiredInput.from(context);
        return desired(input.job(), input.settings());
    }

    public static ConfigMap desired(FineTuneJob job, OperatorSettings settings) {
        FineTuneJob resolved = TrainerConfig.resolve(job, settings);
        // suspend is the one field that changes while the job runs; the trainer does not need it, and
        // leaving it out keeps the file (the record of the accepted spec) stable across suspend/resume.
        resolved.getSpec().suspend = null;
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(ResourceNames.configMap(job))
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(ResourceNames.labels(job))
                .endMetadata()
                .addToData(ResourceNames.CONFIG_FILE, TrainerConfig.toYaml(resolved))
                .build();
    }
}
