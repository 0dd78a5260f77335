package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operator process: /healthz, /readyz and /metrics (JOSDK meters and finetune_jobs), watched namespaces. */
class OperatorProcessTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void probesAndMetricsAnswer() throws Exception {
        try (MockCluster cluster = new MockCluster();
                OperatorHttpServer server = new OperatorHttpServer(0, cluster.startOperator().operator, cluster.registry)) {
            server.start();
            assertEquals(200, get(server, "/healthz").statusCode());
            assertEquals(200, get(server, "/readyz").statusCode());
            cluster.create(Jobs.mrpc("bert-mrpc"));
            await("a reconcile counted", Duration.ofSeconds(15), () -> get(server, "/metrics").body().contains("finetune_jobs{phase=\"Pending\"} 1"));
            String metrics = get(server, "/metrics").body();
            assertTrue(metrics.contains("operator_sdk_reconciliations"), "JOSDK's MicrometerMetrics: " + metrics);
        }
    }

    @Test
    void onlyTheConfiguredNamespacesAreWatched() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            cluster.startOperator(new OperatorSettings("example.com/trainer:test", Duration.ofSeconds(15), 8080, java.util.Set.of("team-b")));
            FineTuneJob elsewhere = cluster.create(Jobs.mrpc("in-ml"));
            FineTuneJob watched = Jobs.mrpc("in-team-b");
            watched.getMetadata().setNamespace("team-b");
            cluster.client.resources(FineTuneJob.class).inNamespace("team-b").resource(watched).create();
            await("the watched namespace's Job", Duration.ofSeconds(15),
                    () -> cluster.client.batch().v1().jobs().inNamespace("team-b").withName("in-team-b").get() != null);
            assertEquals(null, cluster.get(elsewhere.getMetadata().getName()).getStatus().phase);
            assertEquals(null, cluster.job("in-ml"));
        }
    }

    private HttpResponse<String> get(OperatorHttpServer server, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
