package dev.finetune.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** The operator's own port: /healthz (the process answers), /readyz (informers synced and healthy), /metrics. */
public class OperatorHttpServer implements AutoCloseable {
    private final HttpServer server;

    public OperatorHttpServer(int port, Operator operator, PrometheusMeterRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", () -> "ok\n"));
        server.createContext("/readyz", ex -> {
            var info = operator.getRuntimeInfo();
            boolean ready = info.isStarted() && info.allEventSourcesAreHealthy();
            respond(ex, ready ? 200 : 503, "text/plain", () -> ready ? "ready\n" : "not ready\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry::scrape));
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int code, String type, Supplier<String> body) throws IOException {
        byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
