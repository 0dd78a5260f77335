package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import dev.finetune.api.ResourcesSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dependents' desired state, built without a cluster. */
class DesiredResourcesTest {
    private final OperatorSettings settings = OperatorSettings.defaults();

    private static FineTuneJob scheduledJob() {
        FineTuneJob job = Jobs.mrpc("bert-mrpc");
        job.getSpec().resources.gpus = 2;
        job.getSpec().resources.limits = Map.of("memory", new Quantity("32Gi"));
        job.getSpec().scheduling.nodeSelector = Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
        job.getSpec().scheduling.tolerations = List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").build());
        job.getSpec().scheduling.priorityClassName = "training";
        job.getSpec().scheduling.queueName = "team-a";
        job.getSpec().ttlSecondsAfterFinished = 3600;
        job.getSpec().backoffLimit = 5;
        SecretKeyRef ref = new SecretKeyRef();
        ref.name = "hf-token";
        ref.key = "token";
        job.getSpec().model.tokenSecretRef = ref;
        return job;
    }

    @Test
    void theJobRunsOneNonRootGpuPodWithItsConfigVolumeAndMetricsPort() {
        FineTuneJob ftj = scheduledJob();
        Job job = TrainingJobDependent.desired(ftj, settings);
        assertEquals("bert-mrpc", job.getMetadata().getName());
        assertEquals("team-a", job.getMetadata().getLabels().get("kueue.x-k8s.io/queue-name"));
        assertEquals(5, job.getSpec().getBackoffLimit());
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
        assertEquals(1, job.getSpec().getParallelism());
        assertTrue(job.getSpec().getSuspend(), "a queued Job is created suspended: Kueue lifts that when it admits it");
        var failJob = job.getSpec().getPodFailurePolicy().getRules().get(0);
        assertEquals("FailJob", failJob.getAction());
        assertEquals(List.of(2, 3), failJob.getOnExitCodes().getValues(), "invalid input, out of memory");

        var template = job.getSpec().getTemplate();
        assertEquals("true", template.getMetadata().getAnnotations().get("prometheus.io/scrape"));
        assertEquals("8080", template.getMetadata().getAnnotations().get("prometheus.io/port"));
        assertEquals("/metrics", template.getMetadata().getAnnotations().get("prometheus.io/path"));
        assertEquals("bert-mrpc", template.getMetadata().getLabels().get(ResourceNames.JOB_LABEL));
        PodSpec pod = template.getSpec();
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals("training", pod.getPriorityClassName());
        assertEquals("NVIDIA-H100-80GB-HBM3", pod.getNodeSelector().get("nvidia.com/gpu.product"));
        assertEquals("nvidia.com/gpu", pod.getTolerations().get(0).getKey());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());

        Container trainer = pod.getContainers().get(0);
        assertEquals(List.of("train", "--config", "/etc/finetune/job.yaml", "--output", "/workspace/bert-mrpc/" + dev.finetune.api.RunId.of(ftj.getSpec())), trainer.getArgs());
        assertEquals(OperatorSettings.DEFAULT_IMAGE, trainer.getImage());
        assertEquals(new Quantity("2"), trainer.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("2"), trainer.getResources().getRequests().get("nvidia.com/gpu"));
        assertEquals(new Quantity("4"), trainer.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("16Gi"), trainer.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("32Gi"), trainer.getResources().getLimits().get("memory"));
        assertEquals("metrics", trainer.getPorts().get(0).getName());
        assertEquals(8080, trainer.getPorts().get(0).getContainerPort());
        assertFalse(trainer.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(trainer.getSecurityContext().getReadOnlyRootFilesystem());
        Map<String, String> mounts = trainer.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertEquals(Map.of("/workspace", "workspace", "/etc/finetune", "config", "/tmp", "tmp"), mounts);
        var token = trainer.getEnv().stream().filter(e -> e.getName().equals("HF_TOKEN")).findFirst().orElseThrow();
        assertEquals("hf-token", token.getValueFrom().getSecretKeyRef().getName());
        assertEquals("token", token.getValueFrom().getSecretKeyRef().getKey());
        assertEquals("bert-mrpc-workspace", pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
        assertEquals("bert-mrpc-config", pod.getVolumes().get(1).getConfigMap().getName());
    }

    @Test
    void theTrainerPodGetsNoKubernetesApiTokenAndAWritableTmp() {
        PodSpec pod = TrainingJobDependent.desired(scheduledJob(), settings).getSpec().getTemplate().getSpec();
        // The trainer never calls the API server: no token is mounted, whatever the namespace's default ServiceAccount says.
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals(null, pod.getServiceAccountName());
        // The root filesystem is read-only; the JVM, libtorch and DuckDB (its native library) write to /tmp.
        var tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
        assertTrue(tmp.getEmptyDir() != null, "/tmp must be an emptyDir: " + tmp);
    }

    @Test
    void aHungTrainerFailsItsLivenessProbeOnTheProgressAwareEndpoint() {
        var container = TrainingJobDependent.desired(Jobs.mrpc("alive"), settings).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        var liveness = container.getLivenessProbe();
        assertEquals("/livez", liveness.getHttpGet().getPath());
        assertEquals("metrics", liveness.getHttpGet().getPort().getStrVal());
        assertEquals(2, liveness.getFailureThreshold());
        assertEquals("/healthz", container.getReadinessProbe().getHttpGet().getPath(), "readiness stays the plain check");
    }

    @Test
    void thePodsGracePeriodIsTheJobsTimeToSaveOnSigterm() {
        FineTuneJob ftj = Jobs.mrpc("graceful");
        assertEquals(300L, TrainingJobDependent.desired(ftj, settings).getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds(), "default: room for a bert-base checkpoint on a slow volume");
        ftj.getSpec().terminationGracePeriodSeconds = 900;
        assertEquals(900L, TrainingJobDependent.desired(ftj, settings).getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds());
    }

    @Test
    void theTrainersThreadsFollowThePodsCpuNotTheNodes() {
        ResourcesSpec resources = new ResourcesSpec();
        assertEquals(Optional.empty(), TrainingJobDependent.cpuThreads(resources));
        resources.requests.put("cpu", new Quantity("1500m"));
        assertEquals(Optional.of(2), TrainingJobDependent.cpuThreads(resources));
        resources.limits.put("cpu", new Quantity("4"));
        assertEquals(Optional.of(4), TrainingJobDependent.cpuThreads(resources), "the limit wins over the request");
        resources.limits.put("cpu", new Quantity("100m"));
        assertEquals(Optional.of(1), TrainingJobDependent.cpuThreads(resources));

        FineTuneJob ftj = Jobs.mrpc("threads");
        ftj.getSpec().resources.requests.put("cpu", new Quantity("4"));
        var env = TrainingJobDependent.desired(ftj, settings).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertEquals("4", env.stream().filter(e -> e.getName().equals("OMP_NUM_THREADS")).findFirst().orElseThrow().getValue());
    }

    @Test
    void tf32IsTurnedOnThroughLibtorchsCublasOverride() {
        FineTuneJob ftj = Jobs.mrpc("tf32");
        var env = TrainingJobDependent.desired(ftj, settings).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertTrue(env.stream().noneMatch(e -> e.getName().equals("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE")), env.toString());
        ftj.getSpec().training.tf32 = true;
        env = TrainingJobDependent.desired(ftj, settings).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertEquals("1", env.stream().filter(e -> e.getName().equals("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE")).findFirst()
                .orElseThrow().getValue());
    }

    @Test
    void suspendMapsToTheJobAndAUserClaimReplacesTheOperatorOne() {
        FineTuneJob ftj = Jobs.mrpc("held");
        ftj.getSpec().suspend = true;
        ftj.getSpec().storage.claimName = "shared-models";
        Job job = TrainingJobDependent.desired(ftj, settings);
        assertTrue(job.getSpec().getSuspend());
        assertEquals("shared-models", job.getSpec().getTemplate().getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
        assertNull(job.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("cpu"));
    }

    @Test
    void theConfigMapHoldsTheResolvedJobAndNoToken() {
        FineTuneJob ftj = scheduledJob();
        String yaml = TrainerConfigMapDependent.desired(ftj, settings).getData().get("job.yaml");
        assertFalse(yaml.contains("aGZf"), "no secret value");
        FineTuneJob back = TrainerConfig.fromYaml(yaml);
        assertEquals("bert-mrpc", back.getMetadata().getName());
        assertEquals(OperatorSettings.DEFAULT_IMAGE, back.getSpec().image);
        assertEquals(5.0e-5, back.getSpec().training.learningRate);
        assertEquals("mrpc", back.getSpec().dataset.config);
        assertEquals("hf-token", back.getSpec().model.tokenSecretRef.name);
        assertEquals(new Quantity("4"), back.getSpec().resources.requests.get("cpu"));
        assertTrue(yaml.contains("cpu: \"4\""), yaml);
        assertFalse(TrainerConfig.differsBeyondSuspend(back.getSpec(), TrainerConfig.resolve(ftj, settings).getSpec()));
        ftj.getSpec().training.numTrainEpochs = 5.0;
        assertTrue(TrainerConfig.differsBeyondSuspend(back.getSpec(), TrainerConfig.resolve(ftj, settings).getSpec()));
        assertEquals("spec.training", TrainerConfig.firstDifference(back.getSpec(), TrainerConfig.resolve(ftj, settings).getSpec()));
    }

    @Test
    void theClaimAndTheServiceMatchTheJob() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        ftj.getSpec().storage.storageClassName = "fast";
        var claim = WorkspaceClaimDependent.desired(ftj);
        assertEquals(new Quantity("20Gi"), claim.getSpec().getResources().getRequests().get("storage"));
        assertEquals("fast", claim.getSpec().getStorageClassName());
        assertEquals(List.of(), claim.getMetadata().getOwnerReferences(), "Retain (the default): not owned, so not garbage-collected");
        ftj.getMetadata().setUid("uid-1");
        ftj.getSpec().storage.retentionPolicy.whenDeleted = "Delete";
        assertEquals("uid-1", WorkspaceClaimDependent.desired(ftj).getMetadata().getOwnerReferences().get(0).getUid());
        var service = MetricsServiceDependent.desired(ftj);
        assertEquals("bert-mrpc-metrics", service.getMetadata().getName());
        assertEquals(Map.of(ResourceNames.JOB_LABEL, "bert-mrpc"), service.getSpec().getSelector());
        assertEquals("metrics", service.getSpec().getPorts().get(0).getName());
    }
}
