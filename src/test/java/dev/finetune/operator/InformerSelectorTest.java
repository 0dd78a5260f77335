package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.Phase;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator caches only what it made (issue 9.5): every informer over Jobs, ConfigMaps, Services, claims and
 * pods lists and watches with the managed-by label selector, as the API server sees the requests. Unfiltered, a
 * large cluster's every Job and ConfigMap would sit in the operator's heap (its pod has a 512 Mi limit).
 */
class InformerSelectorTest {
    private static final Set<String> DEPENDENT_RESOURCES =
            Set.of("batch/jobs", "/configmaps", "/services", "/persistentvolumeclaims", "/pods");

    @Test
    void everyDependentInformerSelectsOnTheManagedByLabel() throws Exception {
        try (MockCluster cluster = new MockCluster().startOperator()) {
            cluster.create(Jobs.mrpc("selected"));
            await("Pending", Duration.ofSeconds(20), () -> cluster.get("selected").getStatus().phase == Phase.Pending);
            List<ApiRequest> reads = cluster.operatorRequests().stream()
                    .filter(r -> DEPENDENT_RESOURCES.contains(r.resource()))
                    .filter(r -> r.verb().equals("list") || r.verb().equals("watch"))
                    .toList();
            for (String resource : DEPENDENT_RESOURCES) {
                assertTrue(reads.stream().anyMatch(r -> r.resource().equals(resource)), "no list/watch of " + resource + ": " + reads);
            }
            List<ApiRequest> unfiltered = reads.stream()
                    .filter(r -> !r.query().contains("labelSelector=" + ResourceNames.MANAGED_SELECTOR))
                    .toList();
            assertFalse(reads.isEmpty());
            assertTrue(unfiltered.isEmpty(), "informers without the managed-by selector: " + unfiltered);
        }
    }
}
