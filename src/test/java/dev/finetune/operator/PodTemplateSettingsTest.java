package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.PodSettings;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** spec.pod and the chart's trainer.podDefaults on the training pod: merged, the job winning, the operator's own untouched. */
class PodTemplateSettingsTest {
    private static final String DEFAULTS_JSON = """
            {"env": [{"name": "HF_ENDPOINT", "value": "https://hub.mirror"}, {"name": "HTTPS_PROXY", "value": "http://proxy:3128"}],
             "envFrom": [{"configMapRef": {"name": "cluster-env"}}],
             "labels": {"team": "platform", "cost-center": "ml"},
             "annotations": {"sidecar.istio.io/inject": "false"},
             "imagePullSecrets": [{"name": "registry"}],
             "serviceAccountName": "default-trainer"}""";

    private static Map<String, EnvVar> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, v -> v));
    }

    @Test
    void theJobsSettingsGoOverTheChartDefaultsAndUnderTheOperatorsOwn() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        ftj.getSpec().pod.env = List.of(
                new EnvVarBuilder().withName("HF_ENDPOINT").withValue("https://hub.team").build(),
                new EnvVarBuilder().withName("WANDB_API_KEY").withNewValueFrom().withNewSecretKeyRef("key", "wandb", false).endValueFrom().build(),
                new EnvVarBuilder().withName("OMP_NUM_THREADS").withValue("64").build());
        ftj.getSpec().pod.envFrom = List.of(new EnvFromSourceBuilder().withNewSecretRef().withName("team-env").endSecretRef().build());
        ftj.getSpec().pod.labels = Map.of("team", "nlp");
        ftj.getSpec().pod.imagePullSecrets = List.of(new LocalObjectReference("team-registry"));
        ftj.getSpec().pod.affinity = new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("zone").withOperator("In").withValues("a").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
        ftj.getSpec().activeDeadlineSeconds = 86400L;
        OperatorSettings settings = new OperatorSettings("example.com/trainer:test", Duration.ofSeconds(15), 8080, Set.of(),
                OperatorSettings.podDefaults(DEFAULTS_JSON));

        Job job = TrainingJobDependent.desired(ftj, settings);
        assertEquals(86400L, job.getSpec().getActiveDeadlineSeconds());
        var meta = job.getSpec().getTemplate().getMetadata();
        assertEquals("nlp", meta.getLabels().get("team"), "the job wins");
        assertEquals("ml", meta.getLabels().get("cost-center"), "the default fills in");
        assertEquals("bert-mrpc", meta.getLabels().get(ResourceNames.JOB_LABEL), "the operator's selector label stays");
        assertEquals("false", meta.getAnnotations().get("sidecar.istio.io/inject"));
        assertEquals("true", meta.getAnnotations().get("prometheus.io/scrape"));
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertEquals(List.of("registry", "team-registry"), pod.getImagePullSecrets().stream().map(LocalObjectReference::getName).toList());
        assertEquals("default-trainer", pod.getServiceAccountName());
        assertFalse(pod.getAutomountServiceAccountToken(), "the trainer never calls the API: no token, whatever the account");
        assertEquals("zone", pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getKey());
        Container trainer = pod.getContainers().get(0);
        Map<String, EnvVar> env = env(trainer);
        assertEquals("https://hub.team", env.get("HF_ENDPOINT").getValue());
        assertEquals("http://proxy:3128", env.get("HTTPS_PROXY").getValue());
        assertEquals("wandb", env.get("WANDB_API_KEY").getValueFrom().getSecretKeyRef().getName());
        assertEquals("/workspace/.cache/huggingface", env.get("HF_HOME").getValue());
        assertEquals("4", env.get("OMP_NUM_THREADS").getValue(), "the operator's thread count from the CPU limit stays");
        assertEquals(List.of("cluster-env", "team-env"), trainer.getEnvFrom().stream()
                .map(s -> s.getConfigMapRef() != null ? s.getConfigMapRef().getName() : s.getSecretRef().getName()).toList());
    }

    @Test
    void withoutSettingsThePodIsAsBefore() {
        Job job = TrainingJobDependent.desired(Jobs.mrpc("plain"), OperatorSettings.defaults());
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertNull(job.getSpec().getActiveDeadlineSeconds());
        assertNull(pod.getImagePullSecrets());
        assertNull(pod.getServiceAccountName());
        assertNull(pod.getAffinity());
        assertNull(pod.getContainers().get(0).getEnvFrom());
        assertEquals(Set.of("app.kubernetes.io/name", "app.kubernetes.io/managed-by", ResourceNames.JOB_LABEL),
                job.getSpec().getTemplate().getMetadata().getLabels().keySet());
    }

    @Test
    void aBadChartDefaultStopsTheOperatorNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> OperatorSettings.podDefaults("{\"env\": [{\"name\": \"HF_HOME\", \"value\": \"/x\"}]}"));
        assertTrue(e.getMessage().startsWith("trainer.podDefaults.env[0].name HF_HOME is set by the operator"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OperatorSettings.podDefaults("{\"env\": 3"))
                .getMessage().startsWith("trainer.podDefaults (FINETUNE_TRAINER_POD_DEFAULTS) is not a valid spec.pod"));
        assertEquals(List.of(), OperatorSettings.podDefaults("{}").env);
        assertEquals(new PodSettings().labels, OperatorSettings.podDefaults("").labels);
    }
}
