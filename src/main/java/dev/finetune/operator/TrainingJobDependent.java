package dev.finetune.operator;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import dev.finetune.api.ResourcesSpec;
import dev.finetune.api.SchedulingSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batch/v1 Job that runs the trainer: one pod, never restarted in place (the Job makes a new pod,
 * which resumes from the latest checkpoint), failed at once on exit code 2 (bad config or data).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class TrainingJobDependent extends CRUDKubernetesDependentResource<Job, FineTuneJob> {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** The trainer's exit code for an invalid config or data: retrying cannot help. */
    public static final int EXIT_INVALID_INPUT = 2;
    /** The trainer image's user and group (the Dockerfile's USER 10001:10001; DockerfileTest keeps them one). */
    public static final long TRAINER_UID = 10001L;
    /** The trainer's exit code when the heap, host or GPU memory ran out: the same settings would again. */
    public static final int EXIT_OUT_OF_MEMORY = 3;

    public TrainingJobDependent() {
        super(Job.class);
    }

    @Override
    protected Job desired(FineTuneJob primary, Context<FineTuneJob> context) {
        DesiredInput input = DesiredInput.from(context);
        return desired(input.job(), input.settings());
    }

    /**
     * Once created, a Job's selector, template and completions are immutable, and a running Job keeps
     * the template it started with (a new operator version's template applies to new Jobs): the one
     * field reconciled afterwards is spec.suspend, and not for a queued Job, whose suspend is Kueue's
     * (it is created suspended and Kueue lifts that on admission). Server defaults are never a difference.
     */
    @Override
    public Matcher.Result<Job> match(Job actual, FineTuneJob primary, Context<FineTuneJob> context) {
        FineTuneJob job = DesiredInput.from(context).job();
        Job desired = desired(job, DesiredInput.from(context).settings());
        boolean suspendMatches = kueueOwnsSuspend(job.getSpec())
                || Boolean.TRUE.equals(desired.getSpec().getSuspend()) == Boolean.TRUE.equals(actual.getSpec().getSuspend());
        return Matcher.Result.computed(suspendMatches, desired);
    }

    /** Only suspend differs (see match): a JSON merge patch of spec.suspend, never a replace of the spec. */
    @Override
    public Job update(Job actual, Job desired, FineTuneJob primary, Context<FineTuneJob> context) {
        String patch = "{\"spec\":{\"suspend\":" + Boolean.TRUE.equals(desired.getSpec().getSuspend()) + "}}";
        // On the live object, so that fabric8 does not read the Job again before it patches.
        return context.getClient().resource(actual).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    static boolean kueueOwnsSuspend(FineTuneJobSpec spec) {
        return !ResourceNames.isBlank(queueName(spec));
    }

    public static Map<String, String> prometheusAnnotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/port", String.valueOf(OperatorSettings.TRAINER_PORT));
        annotations.put("prometheus.io/path", "/metrics");
        return annotations;
    }

    public static Job desired(FineTuneJob job, OperatorSettings settings) {
        FineTuneJobSpec spec = job.getSpec();
        Map<String, String> labels = ResourceNames.labels(job);
        Map<String, String> jobLabels = new LinkedHashMap<>(labels);
        if (!ResourceNames.isBlank(queueName(spec))) {
            jobLabels.put(ResourceNames.KUEUE_QUEUE_LABEL, queueName(spec));
        }
        SchedulingSpec scheduling = spec.scheduling == null ? new SchedulingSpec() : spec.scheduling;
        return PodTemplateSettings.apply(new JobBuilder()
                .withNewMetadata()
                    .withName(ResourceNames.job(job))
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(jobLabels)
                .endMetadata()
                .withNewSpec()
                    .withParallelism(1)
                    .withCompletions(1)
                    .withBackoffLimit(spec.backoffLimit == null ? 3 : spec.backoffLimit)
                    .withTtlSecondsAfterFinished(spec.ttlSecondsAfterFinished)
                    // A queued Job starts suspended, so it never runs before Kueue admits it, even where
                    // Kueue's webhook does not catch it.
                    .withSuspend(Boolean.TRUE.equals(spec.suspend) || kueueOwnsSuspend(spec))
                    .withNewPodFailurePolicy()
                        .addNewRule()
                            .withAction("FailJob")
                            .withNewOnExitCodes()
                                .withContainerName(ResourceNames.TRAINER_CONTAINER)
                                .withOperator("In")
                                .withValues(EXIT_INVALID_INPUT, EXIT_OUT_OF_MEMORY)
                            .endOnExitCodes()
                        .endRule()
                        // A pod evicted or preempted is no fault of the job: retry without counting it.
                        .addNewRule()
                            .withAction("Ignore")
                            .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
                        .endRule()
                    .endPodFailurePolicy()
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels)
                            .withAnnotations(prometheusAnnotations())
                        .endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            // The trainer saves a checkpoint on SIGTERM: give it the time the job asks for.
                            .withTerminationGracePeriodSeconds(spec.terminationGracePeriodSeconds == null
                                    ? FineTuneJobSpec.DEFAULT_TERMINATION_GRACE_SECONDS
                                    : spec.terminationGracePeriodSeconds.longValue())
                            // The trainer never talks to the Kubernetes API: no token in the pod, whatever
                            // the namespace's default ServiceAccount would mount.
                            .withAutomountServiceAccountToken(false)
                            .withNodeSelector(scheduling.nodeSelector == null || scheduling.nodeSelector.isEmpty() ? null : scheduling.nodeSelector)
                            .withTolerations(scheduling.tolerations == null || scheduling.tolerations.isEmpty() ? null : scheduling.tolerations)
                            .withPriorityClassName(ResourceNames.isBlank(scheduling.priorityClassName) ? null : scheduling.priorityClassName)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(TRAINER_UID)
                                .withRunAsGroup(TRAINER_UID)
                                .withFsGroup(TRAINER_UID)
                                // A large volume is not re-chowned file by file at every pod start (retries, resumes).
                                .withFsGroupChangePolicy("OnRootMismatch")
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(trainerContainer(job, settings))
                            .addNewVolume()
                                .withName("workspace")
                                .withNewPersistentVolumeClaim().withClaimName(ResourceNames.claim(job)).endPersistentVolumeClaim()
                            .endVolume()
                            .addNewVolume()
                                .withName("config")
                                .withNewConfigMap().withName(ResourceNames.configMap(job)).endConfigMap()
                            .endVolume()
                            // The root filesystem is read-only; the JVM, libtorch and DuckDB (it unpacks its
                            // native library) still need a writable /tmp.
                            .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build(), job, settings.podDefaults());
    }

    private static Container trainerContainer(FineTuneJob job, OperatorSettings settings) {
        FineTuneJobSpec spec = job.getSpec();
        return new ContainerBuilder()
                .withName(ResourceNames.TRAINER_CONTAINER)
                .withImage(ResourceNames.isBlank(spec.image) ? settings.defaultImage() : spec.image)
                .withArgs("train",
                        "--config", ResourceNames.CONFIG_MOUNT + "/" + ResourceNames.CONFIG_FILE,
                        "--output", ResourceNames.outputDir(job))
                .withEnv(env(job))
                .addNewPort().withName("metrics").withContainerPort(OperatorSettings.TRAINER_PORT).withProtocol("TCP").endPort()
                .withNewResources()
                    .withRequests(resources(spec.resources, true))
                    .withLimits(resources(spec.resources, false))
                .endResources()
                .withNewReadinessProbe()
                    .withNewHttpGet().withPath("/healthz").withNewPort("metrics").endHttpGet()
                    .withPeriodSeconds(10)
                .endReadinessProbe()
                // The trainer answers 503 on /livez once it made no progress for spec.progressDeadlineSeconds; two
                // failures a minute apart and the kubelet kills it, so a hung trainer does not hold its GPU forever.
                .withNewLivenessProbe()
                    .withNewHttpGet().withPath("/livez").withNewPort("metrics").endHttpGet()
                    .withPeriodSeconds(30)
                    .withTimeoutSeconds(5)
                    .withFailureThreshold(2)
                .endLivenessProbe()
                .addNewVolumeMount().withName("workspace").withMountPath(ResourceNames.WORKSPACE_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(ResourceNames.CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .withTerminationMessagePath("/dev/termination-log")
                // The trainer writes its final report there; a crash before that leaves the log tail instead.
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withNewCapabilities().addToDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
    }

    private static List<EnvVar> env(FineTuneJob job) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName("HF_HOME").withValue(ResourceNames.WORKSPACE_MOUNT + "/.cache/huggingface").build());
        var ref = job.getSpec().model == null ? null : job.getSpec().model.tokenSecretRef;
        if (ref != null) {
            env.add(new EnvVarBuilder().withName("HF_TOKEN")
                    .withNewValueFrom().withNewSecretKeyRef(ref.key, ref.name, false).endValueFrom()
                    .build());
        }
        cpuThreads(job.getSpec().resources).ifPresent(threads ->
                env.add(new EnvVarBuilder().withName("OMP_NUM_THREADS").withValue(String.valueOf(threads)).build()));
        // DJL's JNI has no allow_tf32 switch; libtorch reads this variable when it creates the cuBLAS handle.
        if (job.getSpec().training != null && Boolean.TRUE.equals(job.getSpec().training.tf32)) {
            env.add(new EnvVarBuilder().withName("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE").withValue("1").build());
        }
        return env;
    }

    /**
     * libtorch sizes its thread pool by the node's cores, not the pod's share: on a shared node that
     * oversubscribes the CPU. The pod's CPU limit (else its request), rounded up, is what it may use.
     */
    static Optional<Integer> cpuThreads(ResourcesSpec resources) {
        if (resources == null) {
            return Optional.empty();
        }
        Quantity cpu = resources.limits == null ? null : resources.limits.get("cpu");
        if (cpu == null && resources.requests != null) {
            cpu = resources.requests.get("cpu");
        }
        if (cpu == null) {
            return Optional.empty();
        }
        int threads = Quantity.getAmountInBytes(cpu).setScale(0, RoundingMode.CEILING).intValueExact();
        return Optional.of(Math.max(1, threads));
    }

    /** Requests or limits from the spec, with the GPUs (extended resources need both, equal). */
    private static Map<String, Quantity> resources(ResourcesSpec resources, boolean requests) {
        Map<String, Quantity> out = new LinkedHashMap<>();
        if (resources == null) {
            return out;
        }
        Map<String, Quantity> given = requests ? resources.requests : resources.limits;
        if (given != null) {
            out.putAll(given);
        }
        if (resources.gpus != null && resources.gpus > 0) {
            out.put(GPU_RESOURCE, new Quantity(String.valueOf(resources.gpus)));
        }
        return out;
    }

    private static String queueName(FineTuneJobSpec spec) {
        return spec.scheduling == null ? null : spec.scheduling.queueName;
    }
}
