package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.NS;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.CheckpointInfo;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.Phase;
import dev.finetune.api.Progress;
import dev.finetune.api.TrainerReport;
import dev.finetune.api.TrainingMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator running against fabric8's mock API server: the lifecycle of a FineTuneJob end to end. */
class FineTuneJobOperatorTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster().startOperator();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void jobGoesFromPendingThroughRunningToSucceededWithProgressOnTheStatus() {
        cluster.create(Jobs.mrpc("bert-mrpc"));
        await("the Job", WAIT, () -> cluster.job("bert-mrpc") != null);
        await("phase Pending", WAIT, () -> cluster.get("bert-mrpc").getStatus().phase == Phase.Pending);
        FineTuneJob pending = cluster.get("bert-mrpc");
        assertEquals("bert-mrpc", pending.getStatus().jobName);
        assertNotNull(cluster.client.configMaps().inNamespace(NS).withName("bert-mrpc-config").get());
        assertNotNull(cluster.client.persistentVolumeClaims().inNamespace(NS).withName("bert-mrpc-workspace").get());
        assertNotNull(cluster.client.services().inNamespace(NS).withName("bert-mrpc-metrics").get());

        cluster.report = report("Training", 300, 1377, 0.65, 0.41, null, "checkpoint-0");
        cluster.runPod("bert-mrpc", "bert-mrpc-a");
        await("progress from /progress", WAIT, () -> {
            var s = cluster.get("bert-mrpc").getStatus();
            return s.phase == Phase.Running && s.progress != null && Long.valueOf(300).equals(s.progress.step);
        });
        var running = cluster.get("bert-mrpc").getStatus();
        assertEquals(0.41, running.metrics.trainLoss);
        assertNotNull(running.startTime);

        cluster.report = report("Evaluating", 459, 1377, 1.0, 0.35, 0.84, "checkpoint-0");
        await("the first evaluation", WAIT, () -> Double.valueOf(0.84).equals(cluster.get("bert-mrpc").getStatus().metrics.evalAccuracy));

        TrainerReport last = report("Done", 1377, 1377, 3.0, 0.18, 0.8725, "checkpoint-1377");
        last.message = "trained 1377 steps";
        cluster.report = null;
        cluster.endPod("bert-mrpc-a", 0, cluster.reportJson(last));
        cluster.setJobStatus("bert-mrpc", 0, "Complete", "CompletionsReached");
        await("phase Succeeded", WAIT, () -> cluster.get("bert-mrpc").getStatus().phase == Phase.Succeeded);
        var done = cluster.get("bert-mrpc").getStatus();
        assertEquals(0.8725, done.metrics.evalAccuracy);
        assertEquals(100.0, done.progress.percent);
        assertEquals("checkpoint-1377", done.checkpoints.latest);
        assertNotNull(done.completionTime);
        assertTrue(StatusConditions.isTrue(done.conditions, StatusConditions.SUCCEEDED));
        await("milestone events", WAIT, () -> reasons().containsAll(List.of("Created", "Started", "Evaluated", "Checkpoint", "Succeeded")));
        String metrics = cluster.registry.scrape();
        assertTrue(metrics.contains("finetune_jobs{phase=\"Succeeded\"} 1"), metrics);

        // ttlSecondsAfterFinished removes the Job: the result stays and nothing trains again.
        cluster.client.batch().v1().jobs().inNamespace(NS).withName("bert-mrpc").delete();
        cluster.editSpec("bert-mrpc", spec -> spec.backoffLimit = 4);
        await("the edit seen", WAIT, () -> Long.valueOf(2).equals(cluster.get("bert-mrpc").getStatus().observedGeneration));
        assertNull(cluster.job("bert-mrpc"), "a finished job's Job is not re-created");
        assertEquals(Phase.Succeeded, cluster.get("bert-mrpc").getStatus().phase);
    }

    @Test
    void invalidSpecFailsWithAConditionNamingTheFieldAndCreatesNothing() {
        FineTuneJob bad = Jobs.mrpc("bad");
        // The schema cannot tell (the API server refuses what it can, e.g. a negative learningRate): the validator can.
        bad.getSpec().task.labelNames = List.of("only-one");
        cluster.create(bad);
        await("phase Failed", WAIT, () -> cluster.get("bad").getStatus().phase == Phase.Failed);
        var condition = StatusConditions.find(cluster.get("bad").getStatus().conditions, StatusConditions.FAILED).orElseThrow();
        assertEquals("InvalidSpec", condition.reason);
        assertTrue(condition.message.contains("spec.task.labelNames has 1 names but spec.task.numLabels is 2"), condition.message);
        assertNull(cluster.job("bad"));
        assertNull(cluster.client.configMaps().inNamespace(NS).withName("bad-config").get());
        assertNull(cluster.client.persistentVolumeClaims().inNamespace(NS).withName("bad-workspace").get());
    }

    @Test
    void exitCodeTwoFailsWithoutRetry() {
        cluster.create(Jobs.mrpc("exit2"));
        await("the Job", WAIT, () -> cluster.job("exit2") != null);
        cluster.runPod("exit2", "exit2-a");
        await("phase Running", WAIT, () -> cluster.get("exit2").getStatus().phase == Phase.Running);
        TrainerReport failure = new TrainerReport();
        failure.stage = "Failed";
        failure.message = "train.jsonl line 3: label 7 is not below numLabels 2";
        cluster.endPod("exit2-a", 2, cluster.reportJson(failure));
        cluster.setJobStatus("exit2", 1, "Failed", "PodFailurePolicy");
        await("phase Failed", WAIT, () -> cluster.get("exit2").getStatus().phase == Phase.Failed);
        var status = cluster.get("exit2").getStatus();
        var condition = StatusConditions.find(status.conditions, StatusConditions.FAILED).orElseThrow();
        assertEquals("PodFailurePolicy", condition.reason);
        assertEquals(0, status.restarts, "exit code 2 is not retried");
        assertTrue(condition.message.contains("line 3") && condition.message.contains("exit code 2"), condition.message);
        var rule = cluster.job("exit2").getSpec().getPodFailurePolicy().getRules().get(0);
        assertEquals("FailJob", rule.getAction());
        assertEquals(List.of(2, 3), rule.getOnExitCodes().getValues(), "invalid input, and out of memory");
    }

    @Test
    void exitCode137IsRetriedAndCountedInRestarts() {
        cluster.create(Jobs.mrpc("oom"));
        await("the Job", WAIT, () -> cluster.job("oom") != null);
        cluster.runPod("oom", "oom-a");
        await("phase Running", WAIT, () -> cluster.get("oom").getStatus().phase == Phase.Running);
        cluster.endPod("oom-a", 137, "");
        cluster.setJobStatus("oom", 1, null, null);
        cluster.runPod("oom", "oom-b");
        await("restarts 1 and Running", WAIT, () -> {
            var s = cluster.get("oom").getStatus();
            return Integer.valueOf(1).equals(s.restarts) && s.phase == Phase.Running;
        });
        await("a Retried event", WAIT, () -> reasons().contains("Retried"));
    }

    @Test
    void suspendAndResumeGoThroughTheJob() {
        cluster.create(Jobs.mrpc("hold"));
        await("the Job", WAIT, () -> cluster.job("hold") != null);
        cluster.editSpec("hold", spec -> spec.suspend = true);
        await("the Job suspended", WAIT, () -> Boolean.TRUE.equals(cluster.job("hold").getSpec().getSuspend()));
        await("phase Suspended", WAIT, () -> cluster.get("hold").getStatus().phase == Phase.Suspended);
        assertTrue(StatusConditions.find(cluster.get("hold").getStatus().conditions, StatusConditions.SPEC_CHANGE_REJECTED)
                .map(c -> "False".equals(c.status)).orElse(true), "suspend is not a rejected change");
        cluster.editSpec("hold", spec -> spec.suspend = false);
        await("the Job resumed", WAIT, () -> Boolean.FALSE.equals(cluster.job("hold").getSpec().getSuspend()));
        await("phase Pending", WAIT, () -> cluster.get("hold").getStatus().phase == Phase.Pending);
    }

    @Test
    void kueueKeepsControlOfSuspendForAQueuedJob() {
        FineTuneJob queued = Jobs.mrpc("queued");
        queued.getSpec().scheduling.queueName = "team-a";
        cluster.create(queued);
        await("the Job", WAIT, () -> cluster.job("queued") != null);
        assertEquals("team-a", cluster.job("queued").getMetadata().getLabels().get("kueue.x-k8s.io/queue-name"));
        // Kueue's webhook suspends the Job until the queue admits it; the operator must not undo that.
        cluster.client.batch().v1().jobs().inNamespace(NS).withName("queued").edit(j -> {
            j.getSpec().setSuspend(true);
            return j;
        });
        cluster.editSpec("queued", spec -> spec.backoffLimit = 4);
        await("a reconcile after Kueue's edit", WAIT, () -> StatusConditions.isTrue(cluster.get("queued").getStatus().conditions,
                StatusConditions.SPEC_CHANGE_REJECTED));
        assertTrue(cluster.job("queued").getSpec().getSuspend(), "Kueue's suspend stays");
        assertEquals(Phase.Pending, cluster.get("queued").getStatus().phase);
    }

    @Test
    void editOfAStartedJobIsRefusedAndNotApplied() {
        cluster.create(Jobs.mrpc("fixed"));
        await("the Job", WAIT, () -> cluster.job("fixed") != null);
        String configBefore = cluster.client.configMaps().inNamespace(NS).withName("fixed-config").get().getData().get("job.yaml");
        cluster.editSpec("fixed", spec -> spec.training.learningRate = 1e-3);
        await("SpecChangeRejected", WAIT, () -> StatusConditions.isTrue(cluster.get("fixed").getStatus().conditions,
                StatusConditions.SPEC_CHANGE_REJECTED));
        var condition = StatusConditions.find(cluster.get("fixed").getStatus().conditions, StatusConditions.SPEC_CHANGE_REJECTED).get();
        assertEquals("fixed", cluster.job("fixed").getMetadata().getName());
        assertTrue(condition.message.startsWith("spec.training"), condition.message);
        assertEquals(configBefore, cluster.client.configMaps().inNamespace(NS).withName("fixed-config").get().getData().get("job.yaml"));
    }

    @Test
    void everyDependentButTheRetainedClaimIsOwnedByTheJobSoDeletionCascades() {
        FineTuneJob created = cluster.create(Jobs.mrpc("owned"));
        await("the Job", WAIT, () -> cluster.job("owned") != null);
        String uid = cluster.get("owned").getMetadata().getUid();
        List<HasMetadata> dependents = List.of(
                cluster.job("owned"),
                cluster.client.configMaps().inNamespace(NS).withName("owned-config").get(),
                cluster.client.services().inNamespace(NS).withName("owned-metrics").get());
        for (HasMetadata dependent : dependents) {
            var owner = dependent.getMetadata().getOwnerReferences();
            assertEquals(1, owner.size(), dependent.getKind());
            assertEquals(uid, owner.get(0).getUid(), dependent.getKind());
            assertEquals("FineTuneJob", owner.get(0).getKind());
        }
        assertEquals(List.of(), claim("owned").getMetadata().getOwnerReferences(), "the model's volume is not the job's to take");
        cluster.client.resource(created).delete();
        await("the FineTuneJob gone", WAIT, () -> cluster.get("owned") == null);
        // The strict API server's garbage collector deletes what the FineTuneJob owned.
        await("the Job, ConfigMap and Service collected", WAIT, () -> cluster.job("owned") == null
                && cluster.client.configMaps().inNamespace(NS).withName("owned-config").get() == null
                && cluster.client.services().inNamespace(NS).withName("owned-metrics").get() == null);
        assertNotNull(claim("owned"), "Retain: the claim outlives its FineTuneJob");
    }

    @Test
    void aReCreatedJobFindsItsRetainedClaimAndResumesOrStartsARunBesideTheOld() {
        FineTuneJob first = cluster.create(Jobs.mrpc("again"));
        await("the Job", WAIT, () -> cluster.job("again") != null);
        await("outputPath on the status", WAIT, () -> cluster.get("again").getStatus().outputPath != null);
        String claimUid = claim("again").getMetadata().getUid();
        String firstOutput = cluster.get("again").getStatus().outputPath;
        assertEquals("again-workspace", cluster.get("again").getStatus().claimName);
        assertTrue(firstOutput.startsWith("again/run-"), firstOutput);
        assertEquals(List.of("/workspace/" + firstOutput), outputArg("again"));

        deleteAndAwaitCollected(first);
        FineTuneJob same = cluster.create(Jobs.mrpc("again"));
        await("the Job again", WAIT, () -> cluster.job("again") != null);
        await("outputPath again", WAIT, () -> cluster.get("again").getStatus().outputPath != null);
        assertEquals(claimUid, claim("again").getMetadata().getUid(), "the same volume, not a new one");
        assertEquals(firstOutput, cluster.get("again").getStatus().outputPath, "same spec: same folder, so it resumes");
        assertEquals(List.of("/workspace/" + firstOutput), outputArg("again"));

        deleteAndAwaitCollected(same);
        FineTuneJob changed = Jobs.mrpc("again");
        changed.getSpec().training.learningRate = 2e-5;
        cluster.create(changed);
        await("the Job of the changed spec", WAIT, () -> cluster.job("again") != null);
        await("outputPath of the changed spec", WAIT, () -> cluster.get("again").getStatus().outputPath != null);
        String changedOutput = cluster.get("again").getStatus().outputPath;
        assertEquals(claimUid, claim("again").getMetadata().getUid());
        assertNotEquals(firstOutput, changedOutput, "another spec: a run of its own beside the old one");
        assertTrue(changedOutput.startsWith("again/run-"), changedOutput);
        assertEquals(List.of("/workspace/" + changedOutput), outputArg("again"));
    }

    @Test
    void deleteRetentionPolicyOwnsTheClaimSoItGoesWithTheJob() {
        FineTuneJob job = Jobs.mrpc("scratch");
        job.getSpec().storage.retentionPolicy.whenDeleted = "Delete";
        FineTuneJob created = cluster.create(job);
        await("the claim", WAIT, () -> claim("scratch") != null);
        String uid = cluster.get("scratch").getMetadata().getUid();
        assertEquals(uid, claim("scratch").getMetadata().getOwnerReferences().get(0).getUid());
        cluster.client.resource(created).delete();
        await("the claim collected with its job", WAIT, () -> claim("scratch") == null);
    }

    private io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim(String job) {
        return cluster.client.persistentVolumeClaims().inNamespace(NS).withName(job + "-workspace").get();
    }

    private List<String> outputArg(String job) {
        List<String> args = cluster.job(job).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        return List.of(args.get(args.indexOf("--output") + 1));
    }

    private void deleteAndAwaitCollected(FineTuneJob job) {
        String name = job.getMetadata().getName();
        cluster.client.resources(FineTuneJob.class).inNamespace(NS).withName(name).delete();
        await(name + " and its Job gone", WAIT, () -> cluster.get(name) == null && cluster.job(name) == null
                && cluster.client.configMaps().inNamespace(NS).withName(name + "-config").get() == null);
    }

    @Test
    void operatorRestartMidJobKeepsOneJobAndStatusContinues() {
        cluster.create(Jobs.mrpc("restart"));
        await("the Job", WAIT, () -> cluster.job("restart") != null);
        cluster.report = report("Training", 100, 1377, 0.2, 0.6, null, null);
        cluster.runPod("restart", "restart-a");
        await("step 100", WAIT, () -> Long.valueOf(100).equals(cluster.get("restart").getStatus().progress.step));
        String startTime = cluster.get("restart").getStatus().startTime;
        String jobUid = cluster.job("restart").getMetadata().getUid();

        cluster.stopOperator();
        cluster.report = report("Training", 700, 1377, 1.5, 0.3, 0.85, "checkpoint-500");
        // The new operator version has another default image: the running job keeps the one it started with.
        cluster.startOperator(new OperatorSettings("example.com/trainer:next", cluster.settings.progressInterval(),
                cluster.settings.trainerPort(), java.util.Set.of()));
        await("step 700", WAIT, () -> Long.valueOf(700).equals(cluster.get("restart").getStatus().progress.step));
        assertEquals(1, cluster.client.batch().v1().jobs().inNamespace(NS).list().getItems().size());
        assertEquals(jobUid, cluster.job("restart").getMetadata().getUid(), "the Job was not re-created");
        assertEquals(startTime, cluster.get("restart").getStatus().startTime);
        assertEquals(Phase.Running, cluster.get("restart").getStatus().phase);
        assertEquals("example.com/trainer:test", cluster.job("restart").getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertTrue(!StatusConditions.isTrue(cluster.get("restart").getStatus().conditions, StatusConditions.SPEC_CHANGE_REJECTED));
    }

    private List<String> reasons() {
        return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .map(e -> e.getReason()).filter(Objects::nonNull).toList();
    }

    static TrainerReport report(String stage, long step, long total, double epoch, double loss, Double accuracy, String checkpoint) {
        TrainerReport r = new TrainerReport();
        r.stage = stage;
        r.progress = new Progress();
        r.progress.step = step;
        r.progress.totalSteps = total;
        r.progress.epoch = epoch;
        r.progress.percent = Math.round(1000.0 * step / total) / 10.0;
        r.progress.etaSeconds = (total - step) / 4;
        r.progress.samplesPerSecond = 32.0;
        r.metrics = new TrainingMetrics();
        r.metrics.trainLoss = loss;
        r.metrics.learningRate = 5e-5 * (1 - (double) step / total);
        r.metrics.evalAccuracy = accuracy;
        if (accuracy != null) {
            r.metrics.evalLoss = 0.4;
            r.metrics.evalF1 = accuracy + 0.03;
        }
        if (checkpoint != null) {
            r.checkpoints = new CheckpointInfo();
            r.checkpoints.latest = checkpoint;
            r.checkpoints.count = 1;
        }
        return r;
    }
}
