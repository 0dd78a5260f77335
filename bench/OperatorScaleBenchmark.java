package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N FineTuneJobs created at once on the operator tests' API server (MockCluster, in this JVM) with the operator
 * running: time until every one has its Job and a status, reconciles per second, then a steady state with a
 * fifth of them Running and serving /progress (reconciles and status writes per second), and the operator's heap.
 * Run by bench/operator-scale.sh; not part of `mvn verify`.
 */
public final class OperatorScaleBenchmark {
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        System.out.printf("jobs=%d cpus=%d maxHeap=%dMiB java=%s%n", jobs, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        // Baseline: the same creations on a mock API server with no operator, which is the floor that the
        // mock (one lock, a linear scan per request) sets for everything below.
        try (MockCluster bare = new MockCluster()) {
            long t0 = System.nanoTime();
            createAll(bare, jobs);
            System.out.printf("baseline: %d FineTuneJobs created on the mock with no operator in %.2f s%n", jobs, seconds(t0));
        }
        try (MockCluster cluster = new MockCluster()) {
            long heapMockOnly = usedHeapAfterGc();
            cluster.startOperator();

            long start = System.nanoTime();
            createAll(cluster, jobs);
            double createdSeconds = seconds(start);

            int withJob = 0;
            int withStatus = 0;
            while (seconds(start) < 600) {
                withJob = cluster.client.batch().v1().jobs().inNamespace(MockCluster.NS).list().getItems().size();
                withStatus = (int) cluster.client.resources(FineTuneJob.class).inNamespace(MockCluster.NS).list().getItems().stream()
                        .filter(j -> j.getStatus() != null && j.getStatus().jobName != null && j.getStatus().phase != null)
                        .count();
                if (withJob == jobs && withStatus == jobs) {
                    break;
                }
                Thread.sleep(100);
            }
            double allDoneSeconds = seconds(start);
            double reconciles = reconciliations(cluster);
            drainStatusWrites(cluster);

            // A share of the jobs Running: their pods serve /progress (one local trainer for all, as in the
            // tests), whose step moves every 100 ms, so that each poll sees news and writes status.
            int running = Math.max(1, jobs / 5);
            for (int i = 0; i < running; i++) {
                String name = String.format("job-%04d", i);
                cluster.runPod(name, name + "-pod");
            }
            double window = 20;
            long steadyStart = System.nanoTime();
            double reconcilesBefore = reconciliations(cluster);
            for (long step = 1; seconds(steadyStart) < window; step++) {
                cluster.report = FineTuneJobOperatorTest.report("Training", step, 100_000, step / 1000.0, 0.5, null, null);
                Thread.sleep(100);
            }
            double steadySeconds = seconds(steadyStart);
            double steadyReconciles = reconciliations(cluster) - reconcilesBefore;
            long statusWrites = drainStatusWrites(cluster);
            long runningWithProgress = cluster.client.resources(FineTuneJob.class).inNamespace(MockCluster.NS).list().getItems().stream()
                    .filter(j -> j.getStatus() != null && j.getStatus().progress != null && j.getStatus().progress.step != null)
                    .count();
            long heapWithOperator = usedHeapAfterGc();
            cluster.stopOperator();
            long heapAfterStop = usedHeapAfterGc();

            System.out.printf("created %d FineTuneJobs in %.2f s%n", jobs, createdSeconds);
            System.out.printf("every one with its Job and a status after %.2f s (jobs %d/%d, statuses %d/%d)%n",
                    allDoneSeconds, withJob, jobs, withStatus, jobs);
            System.out.printf("reconciles: %.0f in %.2f s = %.0f/s%n", reconciles, allDoneSeconds, reconciles / allDoneSeconds);
            System.out.printf("steady state, %d of %d jobs Running with /progress served for %.1f s: %d with progress on status,"
                    + " reconciles %.0f/s, status writes %d = %.1f/s%n", running, jobs, steadySeconds, runningWithProgress,
                    steadyReconciles / steadySeconds, statusWrites, statusWrites / steadySeconds);
            System.out.printf("heap used after GC: mock API server alone %d MiB, with operator and %d jobs %d MiB, operator stopped %d MiB"
                    + " -> operator ~%d MiB%n", heapMockOnly >> 20, jobs, heapWithOperator >> 20, heapAfterStop >> 20,
                    (heapWithOperator - heapAfterStop) >> 20);
            // Exit here, not after closing the mock: its shutdown waits on the watch connections of 1000 jobs.
            System.exit(withJob != jobs || withStatus != jobs || runningWithProgress < running ? 1 : 0);
        }
    }

    /** All jobs at once, from 8 client threads. */
    private static void createAll(MockCluster cluster, int jobs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> creations = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String name = String.format("job-%04d", i);
            creations.add(pool.submit(() -> cluster.create(Jobs.mrpc(name))));
        }
        for (Future<?> f : creations) {
            f.get();
        }
        pool.shutdown();
    }

    /** The operator's status writes (PATCH or PUT of .../status) recorded by the mock since the last call. */
    private static long drainStatusWrites(MockCluster cluster) throws InterruptedException {
        long writes = 0;
        io.fabric8.mockwebserver.http.RecordedRequest request;
        while ((request = cluster.server.takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if (MockCluster.OPERATOR_AGENT.equals(request.getHeader("User-Agent")) && request.getPath().contains("/finetunejobs/")
                    && request.getPath().split("\\?")[0].endsWith("/status") && !"GET".equals(request.getMethod())) {
                writes++;
            }
        }
        return writes;
    }

    private static double reconciliations(MockCluster cluster) {
        double total = 0;
        for (Meter meter : cluster.registry.getMeters()) {
            String name = meter.getId().getName();
            if (meter instanceof Counter counter && name.startsWith("operator.sdk.reconciliations.") && name.endsWith("success")) {
                total += counter.count();
            }
        }
        return total;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double seconds(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toMillis() / 1000.0;
    }
}
