package dev.finetune.operator;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.RetentionPolicy;
import dev.finetune.api.StorageSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Optional;
import java.util.Set;

/**
 * The claim at /workspace (model cache, checkpoints, final model), made unless spec.storage.claimName names one.
 * Not GarbageCollected, unlike the other dependents: it holds the product, so it is owned by the job (and
 * deleted with it) only when spec.storage.retentionPolicy.whenDeleted is Delete. A retained claim carries no
 * owner reference, so its informer maps it back to the job by the job label, and a re-created job of the same
 * name finds it again by name.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class WorkspaceClaimDependent extends KubernetesDependentResource<PersistentVolumeClaim, FineTuneJob>
        implements Creator<PersistentVolumeClaim, FineTuneJob>, Updater<PersistentVolumeClaim, FineTuneJob> {
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

    /** The owner reference, when there is one, is part of desired(): JOSDK adds none to a dependent that is not GarbageCollected. */
    public static PersistentVolumeClaim desired(FineTuneJob job) {
        StorageSpec storage = job.getSpec().storage == null ? new StorageSpec() : job.getSpec().storage;
        Quantity size = storage.size == null ? new Quantity("20Gi") : storage.size;
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
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
        if (RetentionPolicy.deletesClaim(storage)) {
            claim.addOwnerReference(job);
        }
        return claim;
    }

    /** Labels rather than JOSDK's primary-name annotations: the job label is on the claim whatever its policy. */
    @Override
    protected void addReferenceHandlingMetadata(PersistentVolumeClaim desired, FineTuneJob primary) {
        // desired() already set the labels and, for Delete, the owner reference.
    }

    @Override
    protected Optional<SecondaryToPrimaryMapper<PersistentVolumeClaim>> getSecondaryToPrimaryMapper(
            EventSourceContext<FineTuneJob> context) {
        return Optional.of(claim -> {
            var labels = claim.getMetadata().getLabels();
            String job = labels == null ? null : labels.get(ResourceNames.JOB_LABEL);
            return job == null ? Set.of() : Set.of(new ResourceID(job, claim.getMetadata().getNamespace()));
        });
    }
}
