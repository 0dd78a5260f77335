package dev.finetune.trainer.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The training pod's port 8080: GET /metrics (Prometheus), /progress (JSON report) and /healthz. */
public final class TrainerHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    public TrainerHttpServer(InetSocketAddress address, PrometheusMeterRegistry registry, ProgressReporter progress)
            throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/metrics", exchange -> respond(exchange, "text/plain; version=0.0.4; charset=utf-8",
                registry::scrape));
        server.createContext("/progress", exchange -> respond(exchange, "application/json",
                () -> toJson(progress)));
        server.createContext("/healthz", exchange -> respond(exchange, "text/plain", () -> "ok\n"));
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
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
