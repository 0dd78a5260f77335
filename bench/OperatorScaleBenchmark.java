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
 * N FineTuneJobs created at once on fabric8's mock API server (CRUD mode, in this JVM) with the operator
 * running: time until every one has its Job and a status, reconciles per second, and the operator's heap.
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
            long heapWithOperator = usedHeapAfterGc();
            cluster.stopOperator();
            long heapAfterStop = usedHeapAfterGc();

            System.out.printf("created %d FineTuneJobs in %.2f s%n", jobs, createdSeconds);
            System.out.printf("every one with its Job and a status after %.2f s (jobs %d/%d, statuses %d/%d)%n",
                    allDoneSeconds, withJob, jobs, withStatus, jobs);
            System.out.printf("reconciles: %.0f in %.2f s = %.0f/s%n", reconciles, allDoneSeconds, reconciles / allDoneSeconds);
            System.out.printf("heap used after GC: mock API server alone %d MiB, with operator and %d jobs %d MiB, operator stopped %d MiB"
                    + " -> operator ~%d MiB%n", heapMockOnly >> 20, jobs, heapWithOperator >> 20, heapAfterStop >> 20,
                    (heapWithOperator - heapAfterStop) >> 20);
            if (withJob != jobs || withStatus != jobs) {
                System.exit(1);
            }
        }
        System.exit(0);
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
