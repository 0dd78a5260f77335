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

/** Reads a running trainer's GET /progress; {@link TrainerProgressCache} calls it off the reconcile threads. */
public class TrainerProgressClient {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerProgressClient.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    public TrainerProgressClient(int port) {
        this.port = port;
    }

    /**
     * One GET /progress, blocking up to the timeouts (callers run it off the reconcile threads).
     *
     * @throws IOException when the trainer cannot be read, with a message that says what was asked and what
     *     went wrong ("GET http://10.0.0.5:8080/progress: HttpConnectTimeoutException: HTTP connect timed out")
     */
    public TrainerReport read(String podIp) throws IOException, InterruptedException {
        String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
        URI uri = URI.create("http://" + host + ":" + port + "/progress");
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("answered HTTP " + response.statusCode());
            }
            return JSON.readValue(response.body(), TrainerReport.class);
        } catch (IOException e) {
            throw new IOException("GET " + uri + ": " + describe(e), e);
        }
    }

    /** Java's ConnectException often has no message: the class name says what happened then. */
    private static String describe(IOException e) {
        if (e.getClass() == IOException.class && e.getMessage() != null) {
            return e.getMessage();
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + message;
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
