package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Reconcile precondition of the workspace claim: only when the user did not name an existing one. */
public class OperatorMakesClaim implements Condition<PersistentVolumeClaim, FineTuneJob> {
    @Override
    public boolean isMet(DependentResource<PersistentVolumeClaim, FineTuneJob> dependent, FineTuneJob primary,
            Context<FineTuneJob> context) {
        var storage = DesiredInput.from(context).job().getSpec().storage;
        return storage == null || ResourceNames.isBlank(storage.claimName);
    }
}
