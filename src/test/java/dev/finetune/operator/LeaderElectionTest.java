package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.NS;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.Phase;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas with leader election against one mock API server: only the Lease holder reconciles,
 * and when it stops the standby takes the Lease over and reconciles from then on.
 */
class LeaderElectionTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String LEASE = "finetune-operator";
    // Short timings so that a hand-over takes about two seconds, not the 15 s of JOSDK's defaults.
    private static final Duration LEASE_DURATION = Duration.ofSeconds(2);
    private static final Duration RENEW_DEADLINE = Duration.ofMillis(1500);
    private static final Duration RETRY_PERIOD = Duration.ofMillis(250);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    MockCluster cluster;
    final Map<String, Replica> replicas = new LinkedHashMap<>();

    /** One operator process: its own client (told apart by its User-Agent), meters, Operator and HTTP port. */
    record Replica(String identity, KubernetesClient client, Operator operator, OperatorHttpServer http) {
        void stop() {
            operator.stop();
            http.close();
            client.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        for (String identity : List.of("replica-a", "replica-b")) {
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(cluster.client.getConfiguration()).withUserAgent(identity).build()).build();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // exitOnStopLeading false: JOSDK would otherwise System.exit the test JVM when a leader stops.
            var election = new LeaderElectionConfiguration(LEASE, NS, LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD,
                    identity, null, false);
            Operator operator = OperatorBootstrap.create(client, cluster.settings, registry, election);
            OperatorHttpServer http = new OperatorHttpServer(0, operator, registry);
            http.start();
            replicas.put(identity, new Replica(identity, client, operator, http));
        }
        replicas.values().forEach(r -> r.operator().start());
    }

    @AfterEach
    void stop() {
        replicas.values().forEach(Replica::stop);
        cluster.close();
    }

    @Test
    void onlyTheLeaderReconcilesAndTheStandbyTakesOverWhenItStops() throws Exception {
        await("a Lease holder", WAIT, () -> replicas.containsKey(holder()));
        String leader = holder();
        String standby = replicas.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();

        // Both replicas are ready: readiness follows the informers, not the Lease, so a standby is not
        // taken out of its Service and a rolling update does not wait on it.
        for (Replica replica : replicas.values()) {
            await(replica.identity() + " ready", WAIT, () -> readyz(replica) == 200);
        }

        cluster.create(Jobs.mrpc("first"));
        await("first's Job", WAIT, () -> cluster.job("first") != null);
        await("first Pending", WAIT, () -> cluster.get("first").getStatus().phase == Phase.Pending);
        String firstJobUid = cluster.job("first").getMetadata().getUid();
        assertEquals(leader, holder(), "the Lease did not move while its holder ran");

        Map<String, List<String>> writes = writesByAgent();
        assertTrue(writes.getOrDefault(leader, List.of()).stream().anyMatch(w -> w.startsWith("POST /apis/batch/v1/namespaces/ml/jobs")),
                "the leader created the Job: " + writes);
        assertEquals(List.of(), writes.getOrDefault(standby, List.of()), "the standby wrote nothing but the Lease");
        assertEquals(1, cluster.client.batch().v1().jobs().inNamespace(NS).list().getItems().size());

        replicas.get(leader).operator().stop();
        long stopped = System.nanoTime();
        writesByAgent(); // what it wrote until it stopped
        await("the standby holding the Lease", WAIT, () -> standby.equals(holder()));
        Duration handOver = Duration.ofNanos(System.nanoTime() - stopped);
        assertTrue(handOver.compareTo(LEASE_DURATION.plusSeconds(3)) < 0, "hand-over took " + handOver);

        cluster.create(Jobs.mrpc("second"));
        await("second's Job", WAIT, () -> cluster.job("second") != null);
        await("second Pending", WAIT, () -> cluster.get("second").getStatus().phase == Phase.Pending);
        writes = writesByAgent();
        assertTrue(writes.getOrDefault(standby, List.of()).stream().anyMatch(w -> w.startsWith("POST /apis/batch/v1/namespaces/ml/jobs")),
                "the new leader created second's Job: " + writes);
        assertEquals(List.of(), writes.getOrDefault(leader, List.of()), "the old leader wrote nothing after it stopped");
        // The new leader re-reconciles first on taking over and leaves its Job alone.
        assertEquals(firstJobUid, cluster.job("first").getMetadata().getUid(), "first's Job was not re-created");
        assertEquals(2, cluster.client.batch().v1().jobs().inNamespace(NS).list().getItems().size());
    }

    private String holder() {
        Lease lease = cluster.client.resources(Lease.class).inNamespace(NS).withName(LEASE).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static int readyz(Replica replica) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.http().port() + "/readyz")).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The writes each replica made since the last call, as "METHOD path", leaving out its leader-election
     * traffic (the Lease and the access review before it).
     */
    private Map<String, List<String>> writesByAgent() throws InterruptedException {
        Map<String, List<String>> writes = new LinkedHashMap<>();
        RecordedRequest request;
        while ((request = cluster.server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            String agent = request.getHeader("User-Agent");
            String path = request.getPath();
            if (replicas.containsKey(agent) && !Set.of("GET").contains(request.getMethod())
                    && !path.contains("/leases") && !path.contains("/selfsubjectrulesreviews")) {
                writes.computeIfAbsent(agent, a -> new ArrayList<>()).add(request.getMethod() + " " + path);
            }
        }
        return writes;
    }
}
