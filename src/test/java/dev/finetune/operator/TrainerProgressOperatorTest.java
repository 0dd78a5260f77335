package dev.finetune.operator;

import static dev.finetune.operator.FineTuneJobOperatorTest.report;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.finetune.api.Condition;
import dev.finetune.api.Phase;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /progress is read off the reconcile threads: a slow trainer holds no reconcile, and one that cannot be read
 * for a while shows as the ProgressUnavailable condition with the error. The pods run on other loopback
 * addresses (127.0.0.2, ...) so that each has a trainer of its own.
 */
class TrainerProgressOperatorTest {
    static final Duration WAIT = Duration.ofSeconds(20);
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
    void aTrainerThatTakesFiveSecondsToAnswerHoldsNoReconcile() throws Exception {
        cluster.trainerAt("127.0.0.2", ex -> {
            sleep(Duration.ofSeconds(5));
            answer(ex, 200, report("Training", 1, 100, 0.1, 0.9, null, null));
        });
        cluster.create(Jobs.mrpc("slow"));
        await("the slow Job", WAIT, () -> cluster.job("slow") != null);
        cluster.runPod("slow", "slow-a", "127.0.0.2");
        await("slow Running", WAIT, () -> cluster.get("slow").getStatus().phase == Phase.Running);

        cluster.create(Jobs.mrpc("fast"));
        await("the fast Job", WAIT, () -> cluster.job("fast") != null);
        cluster.report = report("Training", 100, 1377, 0.2, 0.6, null, null);
        cluster.runPod("fast", "fast-a");
        await("fast step 100", WAIT, () -> Long.valueOf(100).equals(cluster.get("fast").getStatus().progress.step));
        // Let reconciles of the slow job (one per 200 ms progress interval) hit its trainer a while.
        Thread.sleep(1000);

        long started = System.nanoTime();
        cluster.editSpec("slow", spec -> spec.suspend = true);
        await("slow Suspended", WAIT, () -> cluster.get("slow").getStatus().phase == Phase.Suspended);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        // A reconcile that waited on the trainer (3 s timeout) would take 3 s or more to see the edit.
        assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, "the suspend of the slow job took " + took);

        started = System.nanoTime();
        cluster.report = report("Training", 200, 1377, 0.4, 0.5, null, null);
        await("fast step 200", WAIT, () -> Long.valueOf(200).equals(cluster.get("fast").getStatus().progress.step));
        took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, "the fast job's progress took " + took);
    }

    @Test
    void anUnreadableTrainerShowsProgressUnavailableWithTheErrorUntilItAnswers() throws Exception {
        AtomicReference<TrainerReport> served = new AtomicReference<>();
        cluster.trainerAt("127.0.0.3", ex -> {
            TrainerReport r = served.get();
            answer(ex, r == null ? 500 : 200, r);
        });
        cluster.create(Jobs.mrpc("dark"));
        await("the Job", WAIT, () -> cluster.job("dark") != null);
        cluster.runPod("dark", "dark-a", "127.0.0.3");
        await("ProgressUnavailable", WAIT, () -> condition("dark").filter(c -> "True".equals(c.status)).isPresent());
        Condition unavailable = condition("dark").get();
        assertEquals(ProgressUnavailableCondition.UNREACHABLE, unavailable.reason);
        String url = "GET http://127.0.0.3:" + cluster.settings.trainerPort() + "/progress: answered HTTP 500";
        assertTrue(unavailable.message.contains(url), unavailable.message);
        assertEquals(Phase.Running, cluster.get("dark").getStatus().phase);
        String since = unavailable.lastTransitionTime;

        // Still failing: the condition stands, unchanged.
        Thread.sleep(600);
        assertEquals(since, condition("dark").get().lastTransitionTime);

        served.set(report("Training", 42, 1377, 0.1, 0.7, null, null));
        await("cleared", WAIT, () -> condition("dark").filter(c -> "False".equals(c.status)).isPresent());
        assertEquals(Long.valueOf(42), cluster.get("dark").getStatus().progress.step);
        assertEquals("TrainerReachable", condition("dark").get().reason);
    }

    @Test
    void aClosedPortNamesTheConnectionError() {
        cluster.create(Jobs.mrpc("closed"));
        await("the Job", WAIT, () -> cluster.job("closed") != null);
        // Nothing listens on 127.0.0.4: as behind a default-deny NetworkPolicy that rejects.
        cluster.runPod("closed", "closed-a", "127.0.0.4");
        await("ProgressUnavailable", WAIT, () -> condition("closed").filter(c -> "True".equals(c.status)).isPresent());
        String message = condition("closed").get().message;
        assertTrue(message.contains("GET http://127.0.0.4:" + cluster.settings.trainerPort() + "/progress: ConnectException"), message);

        // The trainer no longer runs: nothing is unavailable any more.
        cluster.endPod("closed-a", 0, "done");
        cluster.setJobStatus("closed", 0, "Complete", "CompletionsReached");
        await("cleared when finished", WAIT, () -> condition("closed").filter(c -> "False".equals(c.status)).isPresent());
    }

    private Optional<Condition> condition(String name) {
        return StatusConditions.find(cluster.get(name).getStatus().conditions, ProgressUnavailableCondition.TYPE);
    }

    private static void answer(HttpExchange ex, int code, TrainerReport r) throws IOException {
        byte[] body = r == null ? "boom".getBytes() : MockCluster.JSON.writeValueAsBytes(r);
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
