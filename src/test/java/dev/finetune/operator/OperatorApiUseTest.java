package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.NS;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.Phase;
import dev.finetune.api.SecretKeyRef;
import dev.finetune.packaging.RenderedChart;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC against what the operator really does: every API request the operator makes on the mock
 * server through a job's life is granted by the chart's ClusterRole, and the ClusterRole grants nothing
 * else beyond the few code paths this scenario cannot reach (listed below with their reason).
 */
class OperatorApiUseTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Granted but not exercised here. */
    private static final Map<String, Set<String>> NOT_EXERCISED = Map.of(
            // A dependent that no longer matches its desired state (e.g. edited by hand) is replaced (PUT), or
            // for those with server-set fields, merge-patched in the fields the operator sets.
            "/configmaps", Set.of("update"),
            "/services", Set.of("patch"),
            // The claim holds the model: the operator never deletes it (WorkspaceClaimDependent is no Deleter).
            "/persistentvolumeclaims", Set.of("patch"));

    @Test
    void theChartGrantsExactlyWhatTheOperatorUses() throws Exception {
        Map<String, Set<String>> used;
        try (MockCluster cluster = new MockCluster().startOperator()) {
            cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("hf-token").endMetadata()
                    .addToStringData("token", "hf_x").build()).create();
            FineTuneJob job = Jobs.mrpc("bert-mrpc");
            job.getSpec().model.tokenSecretRef = new SecretKeyRef();
            job.getSpec().model.tokenSecretRef.name = "hf-token";
            job.getSpec().model.tokenSecretRef.key = "token";
            cluster.create(job);
            FineTuneJob bad = Jobs.mrpc("bad");
            // The schema cannot tell (the API server refuses what it can, e.g. a negative learningRate): the validator can.
            bad.getSpec().task.labelNames = List.of("only-one");
            cluster.create(bad);
            await("Pending", WAIT, () -> cluster.job("bert-mrpc") != null && cluster.get("bert-mrpc").getStatus().phase == Phase.Pending);
            cluster.editSpec("bert-mrpc", spec -> spec.suspend = true);
            await("Suspended", WAIT, () -> Boolean.TRUE.equals(cluster.job("bert-mrpc").getSpec().getSuspend())
                    && cluster.get("bert-mrpc").getStatus().phase == Phase.Suspended);
            cluster.editSpec("bert-mrpc", spec -> spec.suspend = false);
            cluster.report = FineTuneJobOperatorTest.report("Training", 300, 1377, 0.65, 0.41, null, "checkpoint-0");
            cluster.runPod("bert-mrpc", "bert-mrpc-a");
            await("Running", WAIT, () -> cluster.get("bert-mrpc").getStatus().phase == Phase.Running);
            cluster.endPod("bert-mrpc-a", 0, cluster.reportJson(
                    FineTuneJobOperatorTest.report("Done", 1377, 1377, 3.0, 0.18, 0.87, "checkpoint-1377")));
            cluster.setJobStatus("bert-mrpc", 0, "Complete", "CompletionsReached");
            await("Succeeded", WAIT, () -> cluster.get("bert-mrpc").getStatus().phase == Phase.Succeeded
                    && cluster.get("bad").getStatus().phase == Phase.Failed);
            used = cluster.operatorApiUse();
        }

        Map<String, Set<String>> granted = RenderedChart.rules(RenderedChart.withDefaults().single("ClusterRole"));
        for (Map.Entry<String, Set<String>> use : used.entrySet()) {
            assertTrue(granted.getOrDefault(use.getKey(), Set.of()).containsAll(use.getValue()),
                    "the operator " + use.getValue() + " " + use.getKey() + " but the chart grants " + granted.get(use.getKey()));
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        used.forEach((resource, verbs) -> expected.put(resource, new TreeSet<>(verbs)));
        NOT_EXERCISED.forEach((resource, verbs) -> expected.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(verbs));
        assertEquals(expected, new TreeMap<>(granted), "the chart grants more than the operator uses");
    }
}
