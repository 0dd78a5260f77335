package dev.finetune.operator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a running trainer's GET /progress. A trainer that does not answer yet is not an error. */
public class TrainerProgressClient {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerProgressClient.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    public TrainerProgressClient(int port) {
        this.port = port;
    }

    public Optional<TrainerReport> fetch(String podIp) {
        String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
        URI uri = URI.create("http://" + host + ":" + port + "/progress");
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.debug("{} answered {}", uri, response.statusCode());
                return Optional.empty();
            }
            return Optional.of(JSON.readValue(response.body(), TrainerReport.class));
        } catch (IOException e) {
            LOG.debug("{} not readable: {}", uri, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The trainer's final report from its termination message; empty when the message is not one. */
    public static Optional<TrainerReport> parseTerminationMessage(String message) {
        if (message == null || !message.trim().startsWith("{")) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(message, TrainerReport.class));
        } catch (IOException e) {
            LOG.debug("termination message is not a trainer report: {}", e.toString());
            return Optional.empty();
        }
    }
}
