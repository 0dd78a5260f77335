package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.StorageSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The claim at /workspace (model cache, checkpoints, final model), made unless spec.storage.claimName names one. */
public class WorkspaceClaimDependent extends CRUDKubernetesDependentResource<PersistentVolumeClaim, FineTuneJob> {
    public WorkspaceClaimDependent() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    protected PersistentVolumeClaim desired(FineTuneJob primary, Context<FineTuneJob> context) {
        return desired(DesiredInput.from(context).job());
    }

    /** By the fields desired() sets, quantities by amount: server defaults and allocations are no difference. */
    @Override
    public Matcher.Result<PersistentVolumeClaim> match(PersistentVolumeClaim actual, PersistentVolumeClaim desired, FineTuneJob primary, Context<FineTuneJob> context) {
        return Matcher.Result.computed(OwnedFieldsMatcher.matches(desired, actual), desired);
    }

    /** A merge patch of the owned fields: a replace would drop what the server set (e.g. volumeName). */
    @Override
    public PersistentVolumeClaim update(PersistentVolumeClaim actual, PersistentVolumeClaim desired, FineTuneJob primary, Context<FineTuneJob> context) {
        return OwnedFieldsMatcher.patch(context.getClient(), actual, desired);
    }

    public static PersistentVolumeClaim desired(FineTuneJob job) {
        StorageSpec storage = job.getSpec().storage == null ? new StorageSpec() : job.getSpec().storage;
        Quantity size = storage.size == null ? new Quantity("20Gi") : storage.size;
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                    .withName(ResourceNames.claim(job))
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(ResourceNames.labels(job))
                .endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(ResourceNames.isBlank(storage.storageClassName) ? null : storage.storageClassName)
                    .withNewResources().addToRequests("storage", size).endResources()
                .endSpec()
                .build();
    }
}
