package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.NS;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.Phase;
import dev.finetune.operator.apiserver.Faults;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a real API server shows that the plain CRUD mock did not (issue 9): the Job is never replaced,
 * suspend moves by merge patch only and never for a queued Job, an upgraded operator leaves a running
 * Job's template alone, and the operator rides out API faults.
 */
class StrictServerOperatorTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aNewJobIsNeverReplacedAndServerDefaultsAreNoDifference() throws Exception {
        cluster.startOperator();
        FineTuneJob job = Jobs.mrpc("plain");
        job.getSpec().resources.requests = Map.of("memory", new Quantity("2048Mi"), "cpu", new Quantity("0.5"));
        job.getSpec().storage.size = new Quantity("1024Gi");
        cluster.create(job);
        await("Pending", WAIT, () -> cluster.job("plain") != null && cluster.get("plain").getStatus().phase == Phase.Pending);
        String version = cluster.job("plain").getMetadata().getResourceVersion();
        // A few more reconciles (a status change of the Job triggers one).
        cluster.setJobStatus("plain", 0, null, null);
        cluster.runPod("plain", "plain-a");
        await("Running", WAIT, () -> cluster.get("plain").getStatus().phase == Phase.Running);
        Map<String, Set<String>> use = cluster.operatorApiUse();
        assertEquals(Set.of("create", "get", "list", "watch"), withoutReads(use.get("batch/jobs")), "the Job was only created: " + use);
        assertFalse(use.getOrDefault("/persistentvolumeclaims", Set.of()).contains("update"), use.toString());
        assertFalse(use.getOrDefault("/persistentvolumeclaims", Set.of()).contains("patch"), "1024Gi is 1Ti: " + use);
        assertFalse(use.getOrDefault("/services", Set.of()).contains("patch"), use.toString());
        assertFalse(use.getOrDefault("/services", Set.of()).contains("update"), use.toString());
        assertTrue(Long.parseLong(cluster.job("plain").getMetadata().getResourceVersion()) >= Long.parseLong(version));
    }

    private static Set<String> withoutReads(Set<String> verbs) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(verbs);
        all.addAll(Set.of("get", "list", "watch"));
        return all;
    }

    @Test
    void suspendIsAMergePatchOfSuspendOnly() throws Exception {
        cluster.startOperator();
        cluster.create(Jobs.mrpc("hold"));
        await("the Job", WAIT, () -> cluster.job("hold") != null);
        String uid = cluster.job("hold").getMetadata().getUid();
        cluster.operatorApiUse();
        cluster.editSpec("hold", spec -> spec.suspend = true);
        await("suspended", WAIT, () -> cluster.get("hold").getStatus().phase == Phase.Suspended);
        cluster.editSpec("hold", spec -> spec.suspend = false);
        await("resumed", WAIT, () -> Boolean.FALSE.equals(cluster.job("hold").getSpec().getSuspend())
                && cluster.get("hold").getStatus().phase == Phase.Pending);
        Set<String> verbs = cluster.operatorApiUse().get("batch/jobs");
        assertTrue(verbs.contains("patch"), String.valueOf(verbs));
        assertFalse(verbs.contains("update"), "never a replace of the Job: " + verbs);
        assertEquals(uid, cluster.job("hold").getMetadata().getUid());
    }

    @Test
    void aQueuedJobIsCreatedSuspendedAndItsSuspendIsLeftToKueue() throws Exception {
        cluster.startOperator();
        FineTuneJob queued = Jobs.mrpc("queued");
        queued.getSpec().scheduling.queueName = "team-a";
        cluster.create(queued);
        await("the Job", WAIT, () -> cluster.job("queued") != null);
        assertTrue(cluster.job("queued").getSpec().getSuspend(), "created suspended: it waits for Kueue's admission");
        await("Suspended or Pending", WAIT, () -> cluster.get("queued").getStatus() != null && cluster.get("queued").getStatus().phase != null);
        // Kueue admits it: it lifts suspend (and may set scheduling directives, allowed while never started).
        cluster.client.batch().v1().jobs().inNamespace(NS).withName("queued").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"suspend\":false,\"template\":{\"spec\":{\"nodeSelector\":{\"pool\":\"a\"}}}}}");
        cluster.runPod("queued", "queued-a");
        await("Running", WAIT, () -> cluster.get("queued").getStatus().phase == Phase.Running);
        assertFalse(cluster.job("queued").getSpec().getSuspend(), "the operator does not undo Kueue's admission");
        Set<String> verbs = cluster.operatorApiUse().get("batch/jobs");
        assertFalse(verbs.contains("patch") || verbs.contains("update"), "the operator never writes a queued Job: " + verbs);
    }

    /**
     * An operator upgrade whose pod template differs from the one a running Job was made with: the Job
     * (made here as the previous version made it) keeps its template, nothing is refused, status flows.
     */
    @Test
    void afterAnOperatorUpgradeARunningJobKeepsItsTemplateAndStatusFlows() throws Exception {
        FineTuneJob ftj = cluster.create(Jobs.mrpc("upgraded"));
        var owner = new OwnerReferenceBuilder().withApiVersion("finetune.dev/v1alpha1").withKind("FineTuneJob")
                .withName("upgraded").withUid(ftj.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
        var config = TrainerConfigMapDependent.desired(ftj, cluster.settings);
        config.getMetadata().setOwnerReferences(java.util.List.of(owner));
        cluster.client.configMaps().inNamespace(NS).resource(config).create();
        Job previous = TrainingJobDependent.desired(ftj, cluster.settings);
        var container = previous.getSpec().getTemplate().getSpec().getContainers().get(0);
        container.setReadinessProbe(null);
        container.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("OLD_SETTING", "1", null));
        previous.getSpec().getTemplate().getMetadata().getAnnotations().remove("prometheus.io/path");
        previous.getMetadata().setOwnerReferences(java.util.List.of(owner));
        Job made = cluster.client.batch().v1().jobs().inNamespace(NS).resource(previous).create();
        cluster.report = FineTuneJobOperatorTest.report("Training", 200, 1377, 0.4, 0.5, null, null);
        cluster.runPod("upgraded", "upgraded-a");
        cluster.setJobStatus("upgraded", 0, null, null);
        cluster.operatorApiUse();

        cluster.startOperator();
        await("step 200", WAIT, () -> cluster.get("upgraded").getStatus().progress != null
                && Long.valueOf(200).equals(cluster.get("upgraded").getStatus().progress.step));
        cluster.report = FineTuneJobOperatorTest.report("Training", 400, 1377, 0.8, 0.4, null, null);
        await("step 400", WAIT, () -> Long.valueOf(400).equals(cluster.get("upgraded").getStatus().progress.step));
        Job now = cluster.job("upgraded");
        assertEquals(made.getMetadata().getUid(), now.getMetadata().getUid());
        assertEquals(made.getSpec().getTemplate(), now.getSpec().getTemplate(), "the running Job keeps its template");
        Set<String> verbs = cluster.operatorApiUse().get("batch/jobs");
        assertFalse(verbs.contains("update") || verbs.contains("patch"), String.valueOf(verbs));
        assertEquals(Phase.Running, cluster.get("upgraded").getStatus().phase);
    }

    @Test
    void aMilestoneEventIsRecordedOnceAfterTheStatusWriteThatRecordsIt() {
        cluster.startOperator();
        // The first status write, which records the Job's creation, is refused; the reconcile is retried.
        cluster.apiServer.faults().inject("PATCH", "/finetunejobs/once/status", 2, Faults.conflict());
        cluster.create(Jobs.mrpc("once"));
        await("Pending after the refused writes", WAIT, () -> cluster.apiServer.faults().pending() == 0
                && cluster.get("once").getStatus() != null && cluster.get("once").getStatus().phase == Phase.Pending);
        cluster.runPod("once", "once-a");
        await("Running", WAIT, () -> cluster.get("once").getStatus().phase == Phase.Running);
        // Posted right after the status write that records the start.
        await("the Started event", WAIT, () -> cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .anyMatch(e -> "Started".equals(e.getReason()) && "once".equals(e.getInvolvedObject().getName())));
        var reasons = cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "once".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
        assertEquals(1, reasons.stream().filter("Created"::equals).count(), "events: " + reasons);
        assertEquals(1, reasons.stream().filter("Started"::equals).count(), "events: " + reasons);
    }

    @Test
    void aNanLossFromTheTrainerNeverBlocksTheStatus() {
        cluster.startOperator();
        cluster.create(Jobs.mrpc("nan"));
        await("Pending", WAIT, () -> cluster.job("nan") != null && cluster.get("nan").getStatus().phase == Phase.Pending);
        // The trainer's /progress with a NaN loss: Jackson sends it as "NaN", which the CRD's number field refuses.
        var report = FineTuneJobOperatorTest.report("Training", 300, 1377, 0.65, Double.NaN, 0.81, null);
        cluster.report = report;
        cluster.runPod("nan", "nan-a");
        await("the step on the status despite the NaN", WAIT, () -> {
            var s = cluster.get("nan").getStatus();
            return s.progress != null && Long.valueOf(300).equals(s.progress.step);
        });
        var status = cluster.get("nan").getStatus();
        assertEquals(null, status.metrics.trainLoss, "a NaN is shown as absent");
        assertEquals(0.81, status.metrics.evalAccuracy);
        report.progress.step = 400L;
        await("later writes go on", WAIT, () -> Long.valueOf(400).equals(cluster.get("nan").getStatus().progress.step));
    }

    @Test
    void nodePressureEvictionsPastBackoffLimitFailTheJobAndStopItsJob() {
        cluster.startOperator();
        FineTuneJob job = Jobs.mrpc("evicted");
        job.getSpec().backoffLimit = 1;
        cluster.create(job);
        await("the Job", WAIT, () -> cluster.job("evicted") != null);
        // The kubelet evicts two pods in turn; the Job's failure policy ignores both (DisruptionTarget).
        for (String name : List.of("evicted-a", "evicted-b")) {
            cluster.runPod("evicted", name);
            var pod = cluster.client.pods().inNamespace(NS).withName(name).get();
            pod.getStatus().setPhase("Failed");
            pod.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                    .withType("DisruptionTarget").withStatus("True").withReason("TerminationByKubelet")
                    .withMessage("The node was low on resource: memory.").build());
            cluster.client.pods().inNamespace(NS).resource(pod).updateStatus();
        }
        await("Failed", WAIT, () -> cluster.get("evicted").getStatus().phase == Phase.Failed);
        var status = cluster.get("evicted").getStatus();
        assertEquals(2, status.evictions);
        assertEquals("BackoffLimitExceeded", StatusConditions.find(status.conditions, StatusConditions.FAILED).get().reason);
        await("the Job suspended, so that it retries no more", WAIT, () -> Boolean.TRUE.equals(cluster.job("evicted").getSpec().getSuspend()));
    }

    @Test
    void theOperatorRidesOutApiFaultsAndConverges() {
        cluster.startOperator();
        // Faults are met in the order given; fabric8's client retries 5xx, 429 (after Retry-After) and I/O errors.
        cluster.apiServer.faults().inject("POST", "/apis/batch/v1/namespaces/ml/jobs", 2, Faults.internalError());
        cluster.apiServer.faults().inject("POST", "/apis/batch/v1/namespaces/ml/jobs", 2, Faults.tooManyRequests(1));
        cluster.apiServer.faults().inject("POST", "/apis/batch/v1/namespaces/ml/jobs", 1, Faults.droppedConnection());
        cluster.apiServer.faults().inject("PATCH", "/finetunejobs/faulty/status", 4, Faults.internalError());
        cluster.apiServer.faults().inject("PATCH", "/finetunejobs/faulty/status", 1, Faults.slow(Duration.ofSeconds(2)));
        cluster.create(Jobs.mrpc("faulty"));
        await("Pending despite the faults", Duration.ofSeconds(60), () -> cluster.job("faulty") != null
                && cluster.get("faulty").getStatus() != null && cluster.get("faulty").getStatus().phase == Phase.Pending);
        assertEquals(0, cluster.apiServer.faults().pending(), "every fault was met");
        assertEquals(1, cluster.client.batch().v1().jobs().inNamespace(NS).list().getItems().size());
    }
}
