package dev.finetune.operator;

import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest /progress of each running trainer, read by a small bounded pool so that a slow or unreachable
 * trainer never holds a reconcile thread. Reconcile asks for what is known and, in the same call, for a
 * refresh: at most one fetch per pod is in flight, and when the pool and its queue are full the refresh is
 * skipped (the next reconcile, a progressInterval later, asks again). Entries of pods nobody asked about for
 * a while (the pod is gone, or no longer running) are dropped.
 */
public class TrainerProgressCache {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerProgressCache.class);

    /** How /progress is read; {@link TrainerProgressClient#read} in the operator. */
    @FunctionalInterface
    public interface Fetcher {
        TrainerReport read(String podIp) throws IOException, InterruptedException;
    }

    /**
     * What is known of one trainer.
     *
     * @param report its latest report, however old (empty before the first successful read)
     * @param readAt when that report was read
     * @param error the last read's error; null when the last read succeeded or none finished yet
     * @param failingSince when the reads started failing (the start of the first failed read since the last
     *     success); null when not failing
     */
    public record Reading(Optional<TrainerReport> report, Instant readAt, String error, Instant failingSince) {
        public static final Reading NONE = new Reading(Optional.empty(), null, null, null);

        /** Whether the reads have failed, with no success in between, for at least this long. */
        public boolean failingFor(Duration threshold, Instant now) {
            return failingSince != null && !failingSince.plus(threshold).isAfter(now);
        }
    }

    private record Entry(Reading reading, boolean inFlight, Instant askedAt) {}

    private final Fetcher fetcher;
    private final ThreadPoolExecutor pool;
    private final Duration evictAfter;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param threads fetches at once
     * @param queued refreshes that may wait for a thread; more are skipped
     * @param evictAfter an entry not asked about for this long is dropped
     */
    public TrainerProgressCache(Fetcher fetcher, int threads, int queued, Duration evictAfter, Clock clock) {
        this.fetcher = fetcher;
        this.evictAfter = evictAfter;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued), r -> {
            Thread t = new Thread(r, "trainer-progress-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        // Idle threads go away: nothing to stop when the operator stops, and none held while nothing runs.
        pool.allowCoreThreadTimeOut(true);
    }

    /** The operator's cache: 4 fetches at once, as many waiting; entries dropped after 10 intervals unasked. */
    public static TrainerProgressCache forOperator(OperatorSettings settings) {
        TrainerProgressClient client = new TrainerProgressClient(settings.trainerPort());
        Duration evictAfter = settings.progressInterval().multipliedBy(10).compareTo(Duration.ofMinutes(1)) > 0
                ? settings.progressInterval().multipliedBy(10) : Duration.ofMinutes(1);
        return new TrainerProgressCache(client::read, 4, 4, evictAfter, Clock.systemUTC());
    }

    /**
     * What is known of this pod's trainer, never waiting on it; starts a refresh unless one is in flight or
     * the pool is full.
     *
     * @param podKey the pod's uid (a re-created pod of the same name is another trainer)
     */
    public Reading read(String podKey, String podIp) {
        Instant now = clock.instant();
        evictIdle(now);
        AtomicBoolean start = new AtomicBoolean();
        Entry entry = entries.compute(podKey, (k, old) -> {
            Reading reading = old == null ? Reading.NONE : old.reading();
            boolean inFlight = old != null && old.inFlight();
            start.set(!inFlight);
            return new Entry(reading, true, now);
        });
        if (start.get()) {
            submit(podKey, podIp);
        }
        return entry.reading();
    }

    /** Pods whose fetch is in flight or queued (for tests and the scale bench). */
    public long inFlight() {
        return entries.values().stream().filter(Entry::inFlight).count();
    }

    public int size() {
        return entries.size();
    }

    private void submit(String podKey, String podIp) {
        try {
            pool.execute(() -> fetch(podKey, podIp));
        } catch (RejectedExecutionException full) {
            // Skipped, not queued without bound: the next reconcile asks again.
            LOG.debug("progress pool full, skipping {} this time", podIp);
            entries.computeIfPresent(podKey, (k, e) -> new Entry(e.reading(), false, e.askedAt()));
        }
    }

    private void fetch(String podKey, String podIp) {
        Instant started = clock.instant();
        TrainerReport report = null;
        String error = null;
        try {
            report = fetcher.read(podIp);
        } catch (IOException e) {
            error = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "GET /progress of " + podIp + " interrupted";
        } catch (RuntimeException e) {
            error = "GET /progress of " + podIp + ": " + e;
        }
        if (error != null) {
            LOG.debug("{}", error);
        }
        TrainerReport read = report;
        String failed = error;
        Instant done = clock.instant();
        // An entry evicted meanwhile stays evicted: its pod is gone.
        entries.computeIfPresent(podKey, (k, e) -> {
            Reading before = e.reading();
            Reading after = failed == null
                    ? new Reading(Optional.of(read), done, null, null)
                    : new Reading(before.report(), before.readAt(), failed,
                            before.failingSince() == null ? started : before.failingSince());
            return new Entry(after, false, e.askedAt());
        });
    }

    private void evictIdle(Instant now) {
        // Per key and atomic: the map's removeIf only removes an entry whose value is unchanged, so a fetch
        // that finishes meanwhile (a new Entry) would keep an idle pod for ever.
        for (String key : entries.keySet()) {
            entries.computeIfPresent(key, (k, e) -> e.askedAt().plus(evictAfter).isBefore(now) ? null : e);
        }
    }
}
