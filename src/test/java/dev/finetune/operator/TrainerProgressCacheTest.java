package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.Progress;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cache's bounds (one fetch per pod, a bounded pool that skips when full), failure tracking and eviction. */
class TrainerProgressCacheTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A fetcher that blocks until released, counting the reads per pod IP. */
    static final class BlockingFetcher implements TrainerProgressCache.Fetcher {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public TrainerReport read(String podIp) throws InterruptedException {
            calls.computeIfAbsent(podIp, k -> new AtomicInteger()).incrementAndGet();
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                running.decrementAndGet();
            }
            return report(7);
        }

        int total() {
            return calls.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void atMostOneFetchPerPodIsInFlightAndReadNeverWaits() {
        BlockingFetcher fetcher = new BlockingFetcher();
        TrainerProgressCache cache = new TrainerProgressCache(fetcher, 2, 2, Duration.ofMinutes(1), Clock.systemUTC());
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertTrue(cache.read("uid-a", "10.0.0.1").report().isEmpty());
        }
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(1).toNanos(), "read waited on the trainer");
        await("the fetch started", WAIT, () -> fetcher.total() == 1);
        assertEquals(1, cache.inFlight());
        fetcher.release.countDown();
        await("the report cached", WAIT, () -> cache.read("uid-a", "10.0.0.1").report().isPresent());
        assertEquals(Long.valueOf(7), cache.read("uid-a", "10.0.0.1").report().get().progress.step);
        await("a read after the fetch finished starts another", WAIT, () -> fetcher.calls.get("10.0.0.1").get() >= 2);
    }

    @Test
    void aFullPoolSkipsRefreshesInsteadOfQueueingThemWithoutBound() {
        BlockingFetcher fetcher = new BlockingFetcher();
        TrainerProgressCache cache = new TrainerProgressCache(fetcher, 2, 2, Duration.ofMinutes(1), Clock.systemUTC());
        for (int i = 0; i < 10; i++) {
            cache.read("uid-" + i, "10.0.0." + i);
        }
        await("two fetches running", WAIT, () -> fetcher.running.get() == 2);
        // 2 running + 2 queued; the other 6 were skipped and are not marked in flight.
        assertEquals(4, cache.inFlight());
        assertEquals(10, cache.size());
        fetcher.release.countDown();
        await("the accepted four done", WAIT, () -> cache.inFlight() == 0 && fetcher.total() == 4);
        assertEquals(2, fetcher.maxRunning.get());
        // A skipped pod is fetched when asked again.
        long skipped = java.util.stream.IntStream.range(0, 10).filter(i -> !fetcher.calls.containsKey("10.0.0." + i)).count();
        assertEquals(6, skipped);
        // A skipped pod is fetched on a later ask, as the pool frees up.
        await("the skipped ones fetched", WAIT, () -> {
            for (int i = 0; i < 10; i++) {
                cache.read("uid-" + i, "10.0.0." + i);
            }
            return java.util.stream.IntStream.range(0, 10).allMatch(i -> fetcher.calls.containsKey("10.0.0." + i));
        });
        assertEquals(2, fetcher.maxRunning.get());
    }

    @Test
    void failuresAreTimedFromTheFirstFailedReadAndASuccessClearsThem() {
        MutableClock clock = new MutableClock();
        AtomicInteger mode = new AtomicInteger(1);
        TrainerProgressCache cache = new TrainerProgressCache(ip -> {
            if (mode.get() == 1) {
                throw new IOException("GET http://" + ip + ":8080/progress: HttpConnectTimeoutException: HTTP connect timed out");
            }
            return report(42);
        }, 1, 1, Duration.ofMinutes(1), clock);
        Instant first = clock.now;
        cache.read("p", "10.0.0.5");
        await("the first failure", WAIT, () -> cache.read("p", "10.0.0.5").error() != null);
        TrainerProgressCache.Reading failing = cache.read("p", "10.0.0.5");
        assertEquals("GET http://10.0.0.5:8080/progress: HttpConnectTimeoutException: HTTP connect timed out", failing.error());
        assertEquals(first, failing.failingSince());
        assertFalse(failing.failingFor(Duration.ofSeconds(30), clock.now));
        clock.now = first.plusSeconds(31);
        await("a later failure keeps the first time", WAIT, () -> cache.inFlight() == 0);
        assertTrue(cache.read("p", "10.0.0.5").failingFor(Duration.ofSeconds(30), clock.now));
        assertEquals(first, cache.read("p", "10.0.0.5").failingSince());

        mode.set(2);
        await("a success", WAIT, () -> cache.read("p", "10.0.0.5").report().isPresent());
        TrainerProgressCache.Reading ok = cache.read("p", "10.0.0.5");
        assertNull(ok.error());
        assertNull(ok.failingSince());
        assertFalse(ok.failingFor(Duration.ofSeconds(30), clock.now));
    }

    @Test
    void podsNobodyAsksAboutAreEvicted() {
        MutableClock clock = new MutableClock();
        TrainerProgressCache cache = new TrainerProgressCache(ip -> report(1), 1, 4, Duration.ofMinutes(2), clock);
        cache.read("gone", "10.0.0.1");
        cache.read("kept", "10.0.0.2");
        clock.now = clock.now.plusSeconds(90);
        cache.read("kept", "10.0.0.2");
        clock.now = clock.now.plusSeconds(60);
        cache.read("kept", "10.0.0.2");
        assertEquals(1, cache.size());
    }

    @Test
    void theClientNamesTheUrlAndTheErrorOfAClosedPort() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        TrainerProgressClient client = new TrainerProgressClient(port);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> client.read("127.0.0.1"));
        assertTrue(e.getMessage().startsWith("GET http://127.0.0.1:" + port + "/progress: ConnectException"), e.getMessage());
    }

    @Test
    void theOperatorsThresholdIsThreeIntervalsAndAtLeastThirtySeconds() {
        assertEquals(Duration.ofSeconds(45), OperatorSettings.defaults().progressUnavailableAfter());
        assertEquals(Duration.ofSeconds(30), new OperatorSettings("x", Duration.ofSeconds(2), 8080, java.util.Set.of())
                .progressUnavailableAfter());
        assertEquals(Duration.ofMinutes(3), new OperatorSettings("x", Duration.ofMinutes(1), 8080, java.util.Set.of())
                .progressUnavailableAfter());
    }

    static TrainerReport report(long step) {
        TrainerReport r = new TrainerReport();
        r.stage = "Training";
        r.progress = new Progress();
        r.progress.step = step;
        return r;
    }
}
