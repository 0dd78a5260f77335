package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import dev.finetune.api.ResolvedSource;
import dev.finetune.api.ResolvedSources;
import dev.finetune.api.TrainerReport;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Status from Job, pods and the trainer's report, without a cluster. */
class FineTuneJobObserverTest {
    private static final Instant T0 = Instant.parse("2026-11-25T08:00:00Z");

    @Test
    void runningPodWithAReportGivesRunningWithProgressAndStableConditionTimes() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        Job job = job(0, null);
        Pod pod = pod("bert-mrpc-a", "Running", null);
        TrainerReport report = FineTuneJobOperatorTest.report("Training", 459, 1377, 1.0, 0.42, 0.83, "checkpoint-0");

        FineTuneJobStatus first = FineTuneJobObserver.observe(ftj, job, List.of(pod), Optional.of(report), T0);
        assertEquals(Phase.Running, first.phase);
        assertEquals(459L, first.progress.step);
        assertEquals(0.83, first.metrics.evalAccuracy);
        String since = StatusConditions.find(first.conditions, StatusConditions.RUNNING).get().lastTransitionTime;

        ftj.setStatus(first);
        FineTuneJobStatus second = FineTuneJobObserver.observe(ftj, job, List.of(pod), Optional.empty(), T0.plusSeconds(60));
        assertEquals(since, StatusConditions.find(second.conditions, StatusConditions.RUNNING).get().lastTransitionTime,
                "lastTransitionTime moves only when the status changes");
        assertEquals(459L, second.progress.step, "a missed /progress keeps the last figures");
        assertTrue(FineTuneJobObserver.same(first, second));
    }

    @Test
    void theTrainersStageIsTheRunningConditionsReasonAndADownloadShowsInItsMessage() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        Job job = job(0, null);
        Pod pod = pod("bert-mrpc-a", "Running", null);
        TrainerReport downloading = new TrainerReport();
        downloading.stage = "Downloading";
        downloading.message = "model.safetensors: 120.5/440.5 MB (35.2 MB/s)";

        FineTuneJobStatus first = FineTuneJobObserver.observe(ftj, job, List.of(pod), Optional.of(downloading), T0);
        var running = StatusConditions.find(first.conditions, StatusConditions.RUNNING).get();
        assertEquals("Downloading", running.reason);
        assertEquals("pod bert-mrpc-a: downloading model.safetensors: 120.5/440.5 MB (35.2 MB/s)", running.message);

        ftj.setStatus(first);
        TrainerReport training = FineTuneJobOperatorTest.report("Training", 10, 1377, 0.02, 0.69, 0.5, "checkpoint-0");
        FineTuneJobStatus second = FineTuneJobObserver.observe(ftj, job, List.of(pod), Optional.of(training), T0.plusSeconds(60));
        var now = StatusConditions.find(second.conditions, StatusConditions.RUNNING).get();
        assertEquals("Training", now.reason);
        assertEquals(running.lastTransitionTime, now.lastTransitionTime, "still Running: the time stays");
    }

    @Test
    void theFinalReportComesFromTheTerminationMessage() throws Exception {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        TrainerReport last = FineTuneJobOperatorTest.report("Done", 1377, 1377, 3.0, 0.2, 0.8725, "checkpoint-1377");
        Pod pod = pod("bert-mrpc-a", "Succeeded", MockCluster.JSON.writeValueAsString(last));
        FineTuneJobStatus status = FineTuneJobObserver.observe(ftj, job(0, "Complete"), List.of(pod), Optional.empty(), T0);
        assertEquals(Phase.Succeeded, status.phase);
        assertEquals(0.8725, status.metrics.evalAccuracy);
        assertEquals(100.0, status.progress.percent);
        assertEquals("checkpoint-1377", status.checkpoints.latest);
        assertEquals(T0.toString(), status.completionTime);
    }

    @Test
    void failedPodsAreRestartsAndTheRunningConditionFlipsWithANewTime() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        FineTuneJobStatus running = FineTuneJobObserver.observe(ftj, job(0, null), List.of(pod("a", "Running", null)), Optional.empty(), T0);
        ftj.setStatus(running);
        Pod failed = pod("a", "Failed", "OOMKilled");
        FineTuneJobStatus retrying = FineTuneJobObserver.observe(ftj, job(1, null), List.of(failed), Optional.empty(), T0.plusSeconds(5));
        assertEquals(1, retrying.restarts);
        assertEquals(Phase.Pending, retrying.phase);
        var runningCondition = StatusConditions.find(retrying.conditions, StatusConditions.RUNNING).get();
        assertEquals("False", runningCondition.status);
        assertNotEquals(T0.toString(), runningCondition.lastTransitionTime);
    }

    @Test
    void theSourcesPinnedByTheTrainerShowInTheStatusAndStay() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        Pod pod = pod("bert-mrpc-a", "Running", null);
        TrainerReport report = FineTuneJobOperatorTest.report("Training", 10, 1377, 0.02, 0.69, 0.5, "checkpoint-0");
        report.sources = new ResolvedSources();
        report.sources.model = new ResolvedSource("hf://google-bert/bert-base-uncased", "main", "86b5e0934494bd15c9632b12f734a8a67f723594");
        report.sources.dataset = new ResolvedSource("hf://nyu-mll/glue", "main", "bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c");

        FineTuneJobStatus first = FineTuneJobObserver.observe(ftj, job(0, null), List.of(pod), Optional.of(report), T0);
        assertEquals("86b5e0934494bd15c9632b12f734a8a67f723594", first.sources.model.commit);
        assertEquals("hf://nyu-mll/glue", first.sources.dataset.uri);
        assertEquals("main", first.sources.dataset.revision);

        ftj.setStatus(first);
        TrainerReport later = FineTuneJobOperatorTest.report("Training", 20, 1377, 0.04, 0.6, 0.5, "checkpoint-0");
        FineTuneJobStatus second = FineTuneJobObserver.observe(ftj, job(0, null), List.of(pod), Optional.of(later), T0.plusSeconds(15));
        assertEquals("bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c", second.sources.dataset.commit, "a report without them keeps them");
    }

    @Test
    void readyFollowsKstatusReconcilingWhileItRunsReadyOnceItSucceededStalledWhenItFailed() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        TrainerReport report = FineTuneJobOperatorTest.report("Training", 459, 1377, 1.0, 0.42, 0.83, null);
        FineTuneJobStatus running = FineTuneJobObserver.observe(ftj, job(0, null), List.of(pod("bert-mrpc-a", "Running", null)),
                Optional.of(report), T0);
        assertCondition(running, ReadyCondition.READY, "False", "Running");
        assertCondition(running, ReadyCondition.RECONCILING, "True", "Running");
        assertEquals("training, 33.3% of the steps done", StatusConditions.find(running.conditions, ReadyCondition.READY).get().message);

        ftj.setStatus(running);
        FineTuneJobStatus done = FineTuneJobObserver.observe(ftj, job(0, "Complete"),
                List.of(pod("bert-mrpc-a", "Succeeded", "{\"message\":\"trained\"}")), Optional.empty(), T0.plusSeconds(60));
        assertCondition(done, ReadyCondition.READY, "True", "Succeeded");
        assertCondition(done, ReadyCondition.RECONCILING, "False", "Succeeded");
        assertEquals(T0.plusSeconds(60).toString(), StatusConditions.find(done.conditions, ReadyCondition.READY).get().lastTransitionTime);

        FineTuneJob failing = Jobs.mrpc("bert-mrpc");
        FineTuneJobStatus failed = FineTuneJobObserver.observe(failing, job(4, "Failed"),
                List.of(pod("bert-mrpc-d", "Failed", "{\"message\":\"loss became NaN at step 37; ...\"}")), Optional.empty(), T0);
        assertCondition(failed, ReadyCondition.READY, "False", "CompletionsReached");
        assertCondition(failed, ReadyCondition.STALLED, "True", "CompletionsReached");
        assertTrue(StatusConditions.find(failed.conditions, ReadyCondition.STALLED).get().message.startsWith("loss became NaN at step 37"));
    }

    @Test
    void aPodThatCannotStartNamesWhyOnReady() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        Pod unschedulable = new PodBuilder().withNewMetadata().withName("bert-mrpc-a").withCreationTimestamp(T0.toString()).endMetadata()
                .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").endCondition()
                .endStatus().build();
        FineTuneJobStatus status = FineTuneJobObserver.observe(ftj, job(0, null), List.of(unschedulable), Optional.empty(), T0);
        assertEquals(Phase.Pending, status.phase);
        assertCondition(status, ReadyCondition.READY, "False", "Unschedulable");
        assertEquals("pod bert-mrpc-a: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
                StatusConditions.find(status.conditions, ReadyCondition.READY).get().message);

        for (String reason : List.of("ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError")) {
            Pod waiting = new PodBuilder().withNewMetadata().withName("bert-mrpc-b").withCreationTimestamp(T0.toString()).endMetadata()
                    .withNewStatus().withPhase("Pending").addNewContainerStatus().withName(ResourceNames.TRAINER_CONTAINER)
                    .withNewState().withNewWaiting().withReason(reason).withMessage("secret \"hf-token\" not found").endWaiting().endState()
                    .endContainerStatus().endStatus().build();
            FineTuneJobStatus stuck = FineTuneJobObserver.observe(ftj, job(0, null), List.of(waiting), Optional.empty(), T0);
            assertCondition(stuck, ReadyCondition.READY, "False", reason);
            assertEquals("pod bert-mrpc-b, container trainer: secret \"hf-token\" not found",
                    StatusConditions.find(stuck.conditions, ReadyCondition.READY).get().message);
        }
        Pod starting = new PodBuilder().withNewMetadata().withName("bert-mrpc-c").withCreationTimestamp(T0.toString()).endMetadata()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName(ResourceNames.TRAINER_CONTAINER)
                .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
                .endContainerStatus().endStatus().build();
        assertCondition(FineTuneJobObserver.observe(ftj, job(0, null), List.of(starting), Optional.empty(), T0),
                ReadyCondition.READY, "False", "Pending");
    }

    @Test
    void preemptionsAreRetriedUncountedButNodePressureEvictionsCountAsFailures() {
        FineTuneJob ftj = Jobs.mrpc("bert-mrpc");
        ftj.getSpec().backoffLimit = 1;
        List<Pod> pods = List.of(disrupted("bert-mrpc-a", "PreemptionByScheduler"), disrupted("bert-mrpc-b", "EvictionByEvictionAPI"),
                disrupted("bert-mrpc-c", Disruptions.NODE_PRESSURE), pod("bert-mrpc-d", "Running", null));
        FineTuneJobStatus status = FineTuneJobObserver.observe(ftj, job(0, null), pods, Optional.empty(), T0);
        assertEquals(2, status.preemptions);
        assertEquals(1, status.evictions);
        assertEquals(1, status.restarts, "the eviction was retried, and counted");
        assertEquals(Phase.Running, status.phase, "one failure is within backoffLimit 1");

        List<Pod> evictedTwice = List.of(disrupted("bert-mrpc-c", Disruptions.NODE_PRESSURE), disrupted("bert-mrpc-e", Disruptions.NODE_PRESSURE),
                pod("bert-mrpc-f", "Running", null));
        FineTuneJobStatus failed = FineTuneJobObserver.observe(ftj, job(0, null), evictedTwice, Optional.empty(), T0);
        assertEquals(Phase.Failed, failed.phase, "the Job ignores evictions; the operator does not");
        var condition = StatusConditions.find(failed.conditions, StatusConditions.FAILED).get();
        assertEquals("BackoffLimitExceeded", condition.reason);
        assertTrue(condition.message.startsWith("2 pods failed, more than spec.backoffLimit 1; 2 of them evicted by the kubelet"), condition.message);
    }

    private static Pod disrupted(String name, String reason) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(T0.toString()).endMetadata()
                .withNewStatus().withPhase("Failed").addNewCondition().withType("DisruptionTarget").withStatus("True")
                .withReason(reason).endCondition().endStatus().build();
    }

    private static void assertCondition(FineTuneJobStatus status, String type, String value, String reason) {
        var condition = StatusConditions.find(status.conditions, type);
        assertTrue(condition.isPresent(), type + " missing: " + status.conditions);
        assertEquals(value, condition.get().status, type);
        assertEquals(reason, condition.get().reason, type);
    }

    private static Job job(int failed, String condition) {
        var builder = new JobBuilder().withNewMetadata().withName("bert-mrpc").endMetadata()
                .withNewStatus().withFailed(failed);
        if (condition != null) {
            builder.addNewCondition().withType(condition).withStatus("True").withReason("CompletionsReached").endCondition();
        }
        return builder.endStatus().build();
    }

    private static Pod pod(String name, String phase, String terminationMessage) {
        var state = new ContainerStatusBuilder().withName(ResourceNames.TRAINER_CONTAINER).withNewState();
        if (terminationMessage == null) {
            state.withNewRunning().endRunning();
        } else {
            state.withNewTerminated().withExitCode("Succeeded".equals(phase) ? 0 : 137).withMessage(terminationMessage).endTerminated();
        }
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(T0.toString()).endMetadata()
                .withNewStatus().withPhase(phase).withPodIP("10.0.0.7")
                .withContainerStatuses(state.endState().build()).endStatus().build();
    }
}
