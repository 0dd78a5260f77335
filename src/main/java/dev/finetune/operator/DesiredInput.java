package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What the dependents' desired() build from: the job as it is to run (its accepted spec, which may be
 * older than the CR's when an edit was refused) and the operator's settings. The reconciler puts it into
 * the workflow context before it reconciles the dependents.
 */
public record DesiredInput(FineTuneJob job, OperatorSettings settings) {
    private static final String KEY = DesiredInput.class.getName();

    public void putInto(Context<FineTuneJob> context) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, this);
    }

    public static DesiredInput from(Context<FineTuneJob> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, DesiredInput.class);
    }
}
