package dev.finetune.trainer.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The training pod's port 8080: GET /metrics (Prometheus), /progress (JSON report), /healthz (readiness: the
 * process answers) and /livez (liveness: 503 once the trainer made no progress for the deadline, so that the
 * kubelet kills a hung trainer instead of letting it hold its GPU forever).
 */
public final class TrainerHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    public TrainerHttpServer(InetSocketAddress address, PrometheusMeterRegistry registry, ProgressReporter progress)
            throws IOException {
        this(address, registry, progress, null);
    }

    /** @param progressDeadline how long without progress counts as hung; null: never */
    public TrainerHttpServer(InetSocketAddress address, PrometheusMeterRegistry registry, ProgressReporter progress,
            Duration progressDeadline) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/metrics", exchange -> respond(exchange, "text/plain; version=0.0.4; charset=utf-8",
                registry::scrape));
        server.createContext("/progress", exchange -> respond(exchange, "application/json",
                () -> toJson(progress)));
        server.createContext("/healthz", exchange -> respond(exchange, "text/plain", () -> "ok\n"));
        server.createContext("/livez", exchange -> {
            Optional<String> stalled = progressDeadline == null ? Optional.empty() : progress.stalled(progressDeadline);
            respond(exchange, stalled.isPresent() ? 503 : 200, "text/plain", () -> stalled.orElse("ok") + "\n");
        });
        // Scrapes must not wait behind each other nor touch the training thread.
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "trainer-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static String toJson(ProgressReporter progress) {
        try {
            return JSON.writeValueAsString(progress.snapshot());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange exchange, String contentType, Supplier<String> body) throws IOException {
        respond(exchange, 200, contentType, body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
