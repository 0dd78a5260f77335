package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /healthz, /readyz and /metrics of the operator process, with JOSDK's and the phase gauge's meters. */
class OperatorHttpServerTest {
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

    private HttpResponse<String> get(OperatorHttpServer server, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
