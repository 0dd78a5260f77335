package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin on purpose: validation, the dependents' desired state and the status live in their own classes.
 * Order: refuse a bad spec (creating nothing), refuse edits of a started job (keeping its accepted spec),
 * reconcile the dependents, then observe the Job, its pods and the trainer into status.
 */
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "workspace", type = WorkspaceClaimDependent.class, reconcilePrecondition = OperatorMakesClaim.class),
        @Dependent(name = "config", type = TrainerConfigMapDependent.class),
        @Dependent(name = "job", type = TrainingJobDependent.class, dependsOn = "config"),
        @Dependent(name = "service", type = MetricsServiceDependent.class)
})
@ControllerConfiguration(name = FineTuneJobReconciler.NAME)
public class FineTuneJobReconciler implements Reconciler<FineTuneJob> {
    public static final String NAME = "finetunejob";
    private static final Duration SECRET_RECHECK = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(FineTuneJobReconciler.class);

    private final OperatorSettings settings;
    private final TrainerProgressCache progress;
    private final EventRecorder events;
    private final JobPhaseMetrics phaseMetrics;

    public FineTuneJobReconciler(OperatorSettings settings, TrainerProgressCache progress, EventRecorder events,
            JobPhaseMetrics phaseMetrics) {
        this.settings = settings;
        this.progress = progress;
        this.events = events;
        this.phaseMetrics = phaseMetrics;
    }

    /** The Job's pods, found by the label the pod template carries. */
    @Override
    public List<EventSource<?, FineTuneJob>> prepareEventSources(EventSourceContext<FineTuneJob> context) {
        phaseMetrics.countFrom(context.getPrimaryCache());
        var pods = InformerEventSourceConfiguration.from(Pod.class, FineTuneJob.class)
                .withName("pods")
                .withNamespacesInheritedFromController()
                .withLabelSelector(ResourceNames.MANAGED_SELECTOR + "," + ResourceNames.JOB_LABEL)
                .withSecondaryToPrimaryMapper((Pod pod) -> Set.of(new ResourceID(
                        pod.getMetadata().getLabels().get(ResourceNames.JOB_LABEL), pod.getMetadata().getNamespace())))
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<FineTuneJob> reconcile(FineTuneJob job, Context<FineTuneJob> context) {
        Instant now = Instant.now();
        FineTuneJobStatus before = FineTuneJobObserver.copy(job.getStatus());
        FineTuneJobStatus working = FineTuneJobObserver.copy(job.getStatus());
        job.setStatus(working);
        Long generation = job.getMetadata().getGeneration();
        Optional<Job> batchJob = context.getSecondaryResource(Job.class).filter(j -> ownedBy(j, job));

        if (batchJob.isEmpty() && isFinished(before)) {
            // The Job of a finished run is gone (ttlSecondsAfterFinished, or deleted by hand): the result
            // stays on the status, and nothing is re-created, which would train again.
            working.observedGeneration = job.getMetadata().getGeneration();
            return finish(context.getClient(), job, before, working, null);
        }
        FineTuneJob effective = job;
        if (batchJob.isEmpty()) {
            List<String> errors = new FineTuneJobValidator(name -> secret(context, job, name)).validate(job);
            if (!errors.isEmpty()) {
                working.phase = Phase.Failed;
                working.observedGeneration = generation;
                StatusConditions.set(working.conditions, StatusConditions.FAILED, true, "InvalidSpec",
                        String.join("; ", errors), generation, now);
                ReadyCondition.apply(working, Optional.empty(), generation, now);
                // A missing Secret may yet be created (nothing watches Secrets): look again later.
                boolean secretMissing = errors.stream().anyMatch(e -> e.startsWith("spec.model.tokenSecretRef"));
                return finish(context.getClient(), job, before, working, secretMissing ? SECRET_RECHECK : null);
            }
            StatusConditions.clear(working.conditions, StatusConditions.FAILED, "SpecValid", generation, now);
        } else {
            effective = acceptedJob(job, context);
            if (Disruptions.of(List.copyOf(context.getSecondaryResources(Pod.class))).exceedBackoffLimit(batchJob.get(), effective.getSpec())
                    && FineTuneJobObserver.jobCondition(batchJob.get(), "Failed").isEmpty()) {
                // Node-pressure evictions past backoffLimit: the Job would retry them forever, so it is stopped.
                effective = suspended(effective);
            }
        }

        new DesiredInput(effective, settings).putInto(context);
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

        batchJob = context.getSecondaryResource(Job.class).filter(j -> ownedBy(j, job));
        List<Pod> pods = List.copyOf(context.getSecondaryResources(Pod.class));
        // What the trainer last said, read off this thread: a slow trainer never holds a reconcile.
        TrainerProgressCache.Reading live = FineTuneJobObserver.currentPod(pods)
                .filter(FineTuneJobObserver::isRunning)
                .filter(p -> p.getStatus().getPodIP() != null)
                .map(p -> progress.read(podKey(p), p.getStatus().getPodIP()))
                .orElse(TrainerProgressCache.Reading.NONE);
        FineTuneJobStatus observed = FineTuneJobObserver.observe(job, batchJob.orElse(null), pods, live.report(), now);
        ProgressUnavailableCondition.apply(observed, live, settings.progressUnavailableAfter(), generation, now);
        // Where the model is, so that it can be found after the FineTuneJob is gone (the claim may outlive it).
        observed.claimName = ResourceNames.claim(effective);
        observed.outputPath = ResourceNames.runPath(effective);
        // While the trainer runs nothing in the cluster changes as it learns: read /progress on a schedule.
        return finish(context.getClient(), job, before, observed, observed.phase == Phase.Running ? settings.progressInterval() : null);
    }

    /**
     * Once the Job exists its spec is fixed (a pod template cannot change under a running trainer):
     * an edit other than spec.suspend is refused with a condition, and the accepted spec, kept in the
     * trainer's ConfigMap, goes on being used.
     */
    private FineTuneJob acceptedJob(FineTuneJob job, Context<FineTuneJob> context) {
        Long generation = job.getMetadata().getGeneration();
        FineTuneJobStatus status = job.getStatus();
        Optional<FineTuneJobSpec> accepted = context.getSecondaryResource(ConfigMap.class).filter(cm -> ownedBy(cm, job))
                .map(cm -> cm.getData() == null ? null : cm.getData().get(ResourceNames.CONFIG_FILE))
                .map(yaml -> TrainerConfig.fromYaml(yaml).getSpec());
        if (accepted.isEmpty()) {
            return job;
        }
        FineTuneJobSpec requested = TrainerConfig.resolve(job, settings).getSpec();
        if (ResourceNames.isBlank(job.getSpec().image)) {
            // An empty image took the operator's default when the job started; a new default since is no edit.
            requested.image = accepted.get().image;
        }
        if (TrainerConfig.differsBeyondSuspend(accepted.get(), requested)) {
            String field = TrainerConfig.firstDifference(accepted.get(), requested);
            StatusConditions.set(status.conditions, StatusConditions.SPEC_CHANGE_REJECTED, true, StatusConditions.SPEC_CHANGE_REJECTED,
                    field + " cannot change once the training Job exists (only spec.suspend can); delete and re-create the FineTuneJob to change it",
                    generation, Instant.now());
        } else {
            StatusConditions.clear(status.conditions, StatusConditions.SPEC_CHANGE_REJECTED, "SpecUnchanged", generation, Instant.now());
        }
        // The dependents go on being built from the accepted spec, with today's spec.suspend.
        FineTuneJob effective = new FineTuneJob();
        effective.setMetadata(job.getMetadata());
        effective.setSpec(accepted.get());
        effective.getSpec().suspend = job.getSpec().suspend;
        effective.setStatus(null);
        return effective;
    }

    private UpdateControl<FineTuneJob> finish(KubernetesClient client, FineTuneJob job, FineTuneJobStatus before, FineTuneJobStatus after, Duration recheckAfter) {
        after = FiniteNumbers.only(after);
        if (!FineTuneJobObserver.same(before, after)) {
            LOG.debug("{}: phase {} -> {}", job.getMetadata().getName(), before.phase, after.phase);
            patchStatus(client, job, after);
        }
        // Events only once the status that records their milestone is written: a failed write throws above,
        // and the retry, which starts from the old status again, posts them then, once.
        for (MilestoneEvents.Milestone milestone : MilestoneEvents.between(before, after)) {
            events.record(job, milestone);
        }
        if (!StatusConditions.isTrue(before.conditions, StatusConditions.SPEC_CHANGE_REJECTED)
                && StatusConditions.isTrue(after.conditions, StatusConditions.SPEC_CHANGE_REJECTED)) {
            events.record(job, new MilestoneEvents.Milestone("Warning", StatusConditions.SPEC_CHANGE_REJECTED,
                    StatusConditions.find(after.conditions, StatusConditions.SPEC_CHANGE_REJECTED).get().message));
        }
        UpdateControl<FineTuneJob> control = UpdateControl.noUpdate();
        return recheckAfter == null ? control : control.rescheduleAfter(recheckAfter);
    }

    /** Succeeded, or Failed for a reason other than its spec (a fixed spec may still run). */
    static boolean isFinished(FineTuneJobStatus status) {
        if (status.phase == Phase.Succeeded) {
            return true;
        }
        return status.phase == Phase.Failed && StatusConditions.find(status.conditions, StatusConditions.FAILED)
                .map(c -> !"InvalidSpec".equals(c.reason)).orElse(false);
    }

    /**
     * A JSON merge patch of the status subresource, sent here rather than through UpdateControl: JOSDK's
     * non-SSA status patch is a JSON Patch computed against the cached object, which the mock API server
     * fails to apply after spec edits; a merge patch of the whole status has no such dependence.
     */
    private static void patchStatus(KubernetesClient client, FineTuneJob job, FineTuneJobStatus status) {
        FineTuneJob patch = new FineTuneJob();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(job.getMetadata().getName())
                .withNamespace(job.getMetadata().getNamespace())
                .build());
        patch.setSpec(null);
        patch.setStatus(status);
        client.resource(patch).patchStatus();
    }

    /** A copy of the job whose Job is to be suspended (the cached object stays as it is). */
    private static FineTuneJob suspended(FineTuneJob job) {
        FineTuneJob copy = new FineTuneJob();
        copy.setMetadata(job.getMetadata());
        copy.setSpec(TrainerProgressClient.JSON.convertValue(job.getSpec(), FineTuneJobSpec.class));
        copy.getSpec().suspend = true;
        return copy;
    }

    /**
     * Whether a dependent belongs to this FineTuneJob and not to a deleted one of the same name: JOSDK maps
     * dependents to their primary by name, so after a delete and re-create the predecessor's Job and ConfigMap,
     * which the garbage collector has yet to remove, would otherwise pass for this job's (and its old spec for
     * the accepted one).
     */
    static boolean ownedBy(HasMetadata dependent, FineTuneJob job) {
        return dependent.getMetadata().getOwnerReferences() == null
                || dependent.getMetadata().getOwnerReferences().isEmpty()
                || dependent.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid().equals(job.getMetadata().getUid()));
    }

    private static String podKey(Pod pod) {
        String uid = pod.getMetadata().getUid();
        return uid != null ? uid : pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static Optional<Secret> secret(Context<FineTuneJob> context, FineTuneJob job, String name) {
        return Optional.ofNullable(context.getClient().secrets()
                .inNamespace(job.getMetadata().getNamespace()).withName(name).get());
    }
}
