package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

/** Owned fields only, quantities by amount: what the API server adds or rewrites is no difference. */
class OwnedFieldsMatcherTest {
    @Test
    void serverDefaultsAndAllocationsAreNoDifference() {
        Service desired = MetricsServiceDependent.desired(Jobs.mrpc("m"));
        Service live = new ServiceBuilder(desired).editMetadata().withUid("u").withResourceVersion("7").endMetadata()
                .editSpec().withClusterIP("10.96.0.9").withClusterIPs("10.96.0.9").withType("ClusterIP").withSessionAffinity("None")
                .withIpFamilies("IPv4").withIpFamilyPolicy("SingleStack").endSpec().build();
        assertTrue(OwnedFieldsMatcher.matches(desired, live));
        Service relabelled = new ServiceBuilder(live).editMetadata().removeFromLabels(ResourceNames.JOB_LABEL).endMetadata().build();
        assertFalse(OwnedFieldsMatcher.matches(desired, relabelled), "a label the operator sets, removed by hand");
    }

    @Test
    void quantitiesCompareByAmount() {
        PersistentVolumeClaim desired = WorkspaceClaimDependent.desired(withSize("1024Gi"));
        PersistentVolumeClaim canonical = new PersistentVolumeClaimBuilder(desired).editSpec().withVolumeMode("Filesystem")
                .withVolumeName("pv-1").editResources().addToRequests("storage", new Quantity("1Ti")).endResources().endSpec().build();
        assertTrue(OwnedFieldsMatcher.matches(desired, canonical), "1024Gi is stored as 1Ti");
        assertFalse(OwnedFieldsMatcher.matches(WorkspaceClaimDependent.desired(withSize("2Ti")), canonical));
    }

    private static dev.finetune.api.FineTuneJob withSize(String size) {
        var job = Jobs.mrpc("w");
        job.getSpec().storage.size = new Quantity(size);
        return job;
    }
}
