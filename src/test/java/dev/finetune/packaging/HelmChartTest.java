package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Lints and renders helm/finetune-operator with a real Helm engine and checks the objects it makes. */
class HelmChartTest {
    /**
     * The operator's Kubernetes API use, resource -> verbs: what OperatorApiUseTest records the operator
     * doing on the mock API server, plus the dependents' update/delete paths that its scenario does not reach.
     */
    private static final Map<String, Set<String>> OPERATOR_RULES = Map.of(
            "finetune.dev/finetunejobs", Set.of("list", "watch"),
            "finetune.dev/finetunejobs/status", Set.of("patch"),
            "batch/jobs", Set.of("list", "watch", "create", "patch"),
            "/pods", Set.of("list", "watch"),
            "/configmaps", Set.of("list", "watch", "create", "update"),
            "/services", Set.of("list", "watch", "create", "patch"),
            "/persistentvolumeclaims", Set.of("list", "watch", "create", "patch"),
            "/secrets", Set.of("get"),
            "/events", Set.of("create"));

    /** Metrics the trainer and the operator export (names as Prometheus shows them). */
    private static final Set<String> KNOWN_METRICS = Set.of(
            "finetune_train_step", "finetune_train_total_steps", "finetune_train_epoch", "finetune_train_loss",
            "finetune_learning_rate", "finetune_train_samples_per_second", "finetune_eval_loss",
            "finetune_eval_accuracy", "finetune_eval_f1", "finetune_checkpoint_save_seconds_sum",
            "finetune_checkpoint_save_seconds_count", "finetune_jobs",
            "operator_sdk_reconciliations_started_total", "operator_sdk_reconciliations_success_total",
            "operator_sdk_reconciliations_failed_total");

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertFalse(lint.isFailed(), () -> "helm lint --strict: " + lint.getMessages());
    }

    @Test
    void defaultsWatchAllNamespacesWithAClusterRoleHoldingOnlyTheOperatorsVerbs() {
        RenderedChart chart = RenderedChart.withDefaults();

        assertEquals(OPERATOR_RULES, rules(chart.single("ClusterRole")));
        JsonNode binding = chart.single("ClusterRoleBinding");
        assertEquals("finetune-operator", binding.at("/roleRef/name").asText());
        assertEquals("finetune-operator", binding.at("/subjects/0/name").asText());
        assertEquals(RenderedChart.NAMESPACE, binding.at("/subjects/0/namespace").asText());
        assertTrue(chart.ofKind("Role").isEmpty(), "no Role (and so no leases) with one replica: " + chart.kinds());
        assertEquals("", env(operatorContainer(chart)).get("FINETUNE_WATCH_NAMESPACES"));
    }

    @Test
    void watchNamespacesGivesARoleInEachAndNothingClusterWide() {
        RenderedChart chart = RenderedChart.withValues("watchNamespaces: [team-a, team-b]\n");

        assertTrue(chart.ofKind("ClusterRole").isEmpty(), chart.kinds().toString());
        assertTrue(chart.ofKind("ClusterRoleBinding").isEmpty(), chart.kinds().toString());
        List<String> roleNamespaces = new ArrayList<>();
        for (JsonNode role : chart.ofKind("Role")) {
            roleNamespaces.add(role.at("/metadata/namespace").asText());
            assertEquals(OPERATOR_RULES, rules(role));
        }
        assertEquals(List.of("team-a", "team-b"), roleNamespaces);
        for (JsonNode binding : chart.ofKind("RoleBinding")) {
            assertEquals(RenderedChart.NAMESPACE, binding.at("/subjects/0/namespace").asText());
        }
        assertEquals("team-a,team-b", env(operatorContainer(chart)).get("FINETUNE_WATCH_NAMESPACES"));
    }

    @Test
    void podDefaultsReachTheOperatorAsTheSpecPodItReads() {
        assertEquals("{}", env(operatorContainer(RenderedChart.withDefaults())).get("FINETUNE_TRAINER_POD_DEFAULTS"));
        RenderedChart chart = RenderedChart.withValues("""
                trainer:
                  podDefaults:
                    env: [{name: HF_ENDPOINT, value: "https://hub.internal"}]
                    annotations: {sidecar.istio.io/inject: "false"}
                    imagePullSecrets: [{name: registry}]
                """);
        var defaults = dev.finetune.operator.OperatorSettings.podDefaults(env(operatorContainer(chart)).get("FINETUNE_TRAINER_POD_DEFAULTS"));
        assertEquals("https://hub.internal", defaults.env.get(0).getValue());
        assertEquals("false", defaults.annotations.get("sidecar.istio.io/inject"));
        assertEquals("registry", defaults.imagePullSecrets.get(0).getName());
    }

    @Test
    void theOperatorsBuiltInTrainerImageIsTheChartsDefaultTrainerImage() {
        // Run without the chart (java -jar ... operator), jobs get the trainer image, not the operator's.
        assertEquals(env(operatorContainer(RenderedChart.withDefaults())).get("FINETUNE_TRAINER_IMAGE"),
                dev.finetune.operator.OperatorSettings.DEFAULT_IMAGE);
    }

    @Test
    void theOnlyServiceAccountIsTheOperators() {
        // Training pods need no identity of their own: the operator sets automountServiceAccountToken: false
        // on them (TrainingJobDependent), so they run token-less under their namespace's default account.
        for (RenderedChart chart : List.of(RenderedChart.withDefaults(), RenderedChart.withValues("watchNamespaces: [team-a, team-b]\n"))) {
            List<String> accounts = chart.ofKind("ServiceAccount").stream()
                    .map(sa -> sa.at("/metadata/namespace").asText() + "/" + sa.at("/metadata/name").asText()).toList();
            assertEquals(List.of(RenderedChart.NAMESPACE + "/finetune-operator"), accounts);
        }
    }

    @Test
    void deploymentProbesPortsEnvAndSecurityContext() {
        RenderedChart chart = RenderedChart.withDefaults();
        JsonNode pod = chart.single("Deployment").at("/spec/template/spec");
        JsonNode container = operatorContainer(chart);

        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("http", container.at("/livenessProbe/httpGet/port").asText());
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("http", container.at("/readinessProbe/httpGet/port").asText());
        assertEquals(8081, container.at("/ports/0/containerPort").asInt());
        assertEquals("http", container.at("/ports/0/name").asText());
        assertEquals("operator", container.at("/args/0").asText());

        Map<String, String> env = env(container);
        assertEquals("ghcr.io/finetune-dev/finetune-trainer:0.1.0-cu128", env.get("FINETUNE_TRAINER_IMAGE"));
        assertEquals("15s", env.get("FINETUNE_PROGRESS_INTERVAL"));
        assertEquals("false", env.get("FINETUNE_LEADER_ELECTION"));
        assertEquals(RenderedChart.NAMESPACE, env.get("FINETUNE_LEADER_ELECTION_NAMESPACE"));
        JsonNode podNamespace = envVar(container, "POD_NAMESPACE");
        assertEquals("metadata.namespace", podNamespace.at("/valueFrom/fieldRef/fieldPath").asText());

        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        assertEquals("ALL", container.at("/securityContext/capabilities/drop/0").asText());
        assertFalse(container.at("/resources/requests/memory").isMissingNode());
        assertFalse(container.at("/resources/limits/memory").isMissingNode());
        // One replica without leader election: never two operators at once during a rollout.
        assertEquals("Recreate", chart.single("Deployment").at("/spec/strategy/type").asText());

        JsonNode service = chart.single("Service");
        assertEquals("http", service.at("/spec/ports/0/targetPort").asText());
        assertEquals(pod.path("serviceAccountName").asText(), chart.single("ClusterRoleBinding").at("/subjects/0/name").asText());
    }

    @Test
    void moreThanOneReplicaTurnsLeaderElectionOnWithALeaseRole() {
        RenderedChart chart = RenderedChart.withValues("replicaCount: 2\n");

        Map<String, String> env = env(operatorContainer(chart));
        assertEquals("true", env.get("FINETUNE_LEADER_ELECTION"));
        assertEquals(RenderedChart.NAMESPACE, env.get("FINETUNE_LEADER_ELECTION_NAMESPACE"));
        assertEquals("RollingUpdate", chart.single("Deployment").at("/spec/strategy/type").asText());
        JsonNode leaseRole = chart.single("Role");
        assertEquals(RenderedChart.NAMESPACE, leaseRole.at("/metadata/namespace").asText());
        assertEquals(Map.of("coordination.k8s.io/leases", Set.of("get", "create", "update")), rules(leaseRole));
        assertEquals(leaseRole.at("/metadata/name").asText(), chart.single("RoleBinding").at("/roleRef/name").asText());
    }

    @Test
    void podMonitorOnlyWhenSwitchedOn() {
        assertTrue(RenderedChart.withDefaults().ofKind("PodMonitor").isEmpty());

        RenderedChart chart = RenderedChart.withValues("metrics:\n  podMonitor:\n    enabled: true\n    labels: {release: prom}\n");
        JsonNode monitor = chart.single("PodMonitor");
        assertEquals("prom", monitor.at("/metadata/labels/release").asText());
        assertEquals("finetune-trainer", monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText());
        assertTrue(monitor.at("/spec/namespaceSelector/any").asBoolean());
        assertEquals("metrics", monitor.at("/spec/podMetricsEndpoints/0/port").asText());
        assertEquals("/metrics", monitor.at("/spec/podMetricsEndpoints/0/path").asText());
        assertTrue(monitor.at("/spec/podMetricsEndpoints/0/honorLabels").asBoolean(), "keep the metrics' own job label");
    }

    @Test
    void networkPolicyOnlyWhenSwitchedOnLetsTheOperatorPodsReachTheTrainersPort8080() {
        assertTrue(RenderedChart.withDefaults().ofKind("NetworkPolicy").isEmpty());

        RenderedChart chart = RenderedChart.withValues("watchNamespaces: [team-a, team-b]\nnetworkPolicy: {enabled: true}\n");
        List<JsonNode> policies = chart.ofKind("NetworkPolicy");
        assertEquals(List.of("team-a", "team-b"), policies.stream().map(p -> p.at("/metadata/namespace").asText()).toList());
        JsonNode operatorPod = chart.single("Deployment").at("/spec/template/metadata/labels");
        for (JsonNode policy : policies) {
            assertEquals("finetune-trainer", policy.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText());
            assertEquals("Ingress", policy.at("/spec/policyTypes/0").asText());
            JsonNode from = policy.at("/spec/ingress/0/from/0");
            assertEquals(RenderedChart.NAMESPACE, from.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
            // The peer selects the operator's pods: each label it asks for is on the Deployment's pod template.
            from.at("/podSelector/matchLabels").fields().forEachRemaining(label ->
                    assertEquals(label.getValue().asText(), operatorPod.path(label.getKey()).asText(), label.getKey()));
            assertTrue(from.at("/podSelector/matchLabels").size() >= 2, from.toString());
            assertEquals(8080, policy.at("/spec/ingress/0/ports/0/port").asInt());
            assertEquals("TCP", policy.at("/spec/ingress/0/ports/0/protocol").asText());
        }

        // Watching all namespaces: the release namespace, or the ones listed; other readers of 8080 added.
        assertEquals(RenderedChart.NAMESPACE, RenderedChart.withValues("networkPolicy: {enabled: true}\n")
                .single("NetworkPolicy").at("/metadata/namespace").asText());
        JsonNode listed = RenderedChart.withValues("""
                networkPolicy:
                  enabled: true
                  namespaces: [ml]
                  extraFrom:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
                """).single("NetworkPolicy");
        assertEquals("ml", listed.at("/metadata/namespace").asText());
        assertEquals("monitoring", listed.at("/spec/ingress/0/from/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
    }

    @Test
    void serviceMonitorAndRulesOnlyWhenSwitchedOn() {
        RenderedChart defaults = RenderedChart.withDefaults();
        assertTrue(defaults.ofKind("ServiceMonitor").isEmpty());
        assertTrue(defaults.ofKind("PrometheusRule").isEmpty());
        assertTrue(defaults.ofKind("ConfigMap").isEmpty());

        RenderedChart chart = RenderedChart.withValues(
                "metrics:\n  serviceMonitor: {enabled: true}\n  prometheusRule: {enabled: true, stalledAfter: 20m}\n");
        assertEquals("http", chart.single("ServiceMonitor").at("/spec/endpoints/0/port").asText());
        Map<String, String> alerts = new LinkedHashMap<>();
        for (JsonNode rule : chart.single("PrometheusRule").at("/spec/groups/0/rules")) {
            alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
        }
        assertEquals(Set.of("FineTuneJobFailed", "FineTuneJobStalled"), alerts.keySet());
        assertTrue(alerts.get("FineTuneJobFailed").contains("finetune_jobs{phase=\"Failed\"}"), alerts.toString());
        String stalled = alerts.get("FineTuneJobStalled");
        assertTrue(stalled.contains("changes(finetune_train_step[20m]) == 0"), stalled);
        assertTrue(stalled.contains("finetune_train_step < finetune_train_total_steps"), stalled);
        for (String expr : alerts.values()) {
            assertKnownMetrics(expr);
        }
    }

    @Test
    void dashboardConfigMapPlotsOnlyExportedMetrics() throws IOException {
        RenderedChart chart = RenderedChart.withValues("grafana:\n  dashboard: {enabled: true}\n");
        JsonNode configMap = chart.single("ConfigMap");
        assertEquals("1", configMap.at("/metadata/labels/grafana_dashboard").asText());
        JsonNode dashboard = new ObjectMapper().readTree(configMap.at("/data/finetune-operator.json").asText());
        assertEquals(dashboard, new ObjectMapper().readTree(
                Files.readString(RenderedChart.CHART.resolve("dashboards/finetune-operator.json"))));

        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            assertTrue(panel.path("targets").size() > 0, "panel without a query: " + panel.path("title"));
            for (JsonNode target : panel.path("targets")) {
                assertKnownMetrics(target.path("expr").asText());
            }
        }
        for (String wanted : List.of("Training loss", "Learning rate", "Evaluation loss", "Evaluation accuracy and F1",
                "Training samples per second", "Progress per job", "Reconciles per second")) {
            assertTrue(titles.contains(wanted), "no panel '" + wanted + "' in " + titles);
        }
    }

    @Test
    void schemaRejectsBadValues() {
        for (String bad : List.of("replicaCount: 0\n", "progressInterval: soon\n", "watchNamespaces: [Team_A]\n",
                "image: {pullPolicy: Sometimes}\n", "replicas: 2\n", "networkPolicy: {namespaces: [Team_A]}\n")) {
            IllegalStateException error = assertThrows(IllegalStateException.class, () -> RenderedChart.withValues(bad),
                    "accepted " + bad);
            assertTrue(error.getMessage().contains("values don't meet the specifications of the schema"),
                    error.getMessage());
        }
    }

    private static JsonNode operatorContainer(RenderedChart chart) {
        return chart.single("Deployment").at("/spec/template/spec/containers/0");
    }

    private static JsonNode envVar(JsonNode container, String name) {
        for (JsonNode var : container.path("env")) {
            if (var.path("name").asText().equals(name)) {
                return var;
            }
        }
        throw new AssertionError("no env " + name + " in " + container.path("env"));
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : container.path("env")) {
            if (var.has("value")) {
                env.put(var.path("name").asText(), var.path("value").asText());
            }
        }
        return env;
    }

    /** A Role's or ClusterRole's rules as "group/resource" -> verbs, failing on a resource granted twice. */
    private static Map<String, Set<String>> rules(JsonNode role) {
        return RenderedChart.rules(role);
    }

    private static final Pattern METRIC = Pattern.compile("\\b((?:finetune|operator_sdk)_[a-z0-9_]+)\\b");

    private static void assertKnownMetrics(String expr) {
        Matcher m = METRIC.matcher(expr);
        boolean any = false;
        while (m.find()) {
            any = true;
            assertTrue(KNOWN_METRICS.contains(m.group(1)), "unknown metric " + m.group(1) + " in " + expr);
        }
        assertTrue(any, "no finetune or operator metric in " + expr);
    }
}
