package dev.finetune.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainerReport;
import dev.finetune.trainer.train.TrainerState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerHttpServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void livezFailsOnceTheTrainerMadeNoProgressForTheDeadlineAndRecoversWithTheNextStep() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicLong clock = new AtomicLong();
        ProgressReporter progress = new ProgressReporter(clock::get);
        TrainerState state = new TrainerState();
        state.maxSteps = 100;
        try (TrainerHttpServer server = new TrainerHttpServer(new InetSocketAddress("127.0.0.1", 0), registry, progress,
                Duration.ofSeconds(600))) {
            URI livez = URI.create("http://127.0.0.1:" + server.port() + "/livez");
            progress.stage("Downloading", "model 10 MB of 400 MB");
            clock.set(Duration.ofSeconds(599).toNanos());
            assertEquals(200, get(livez).statusCode(), "within the deadline");
            progress.stage("Downloading", "model 20 MB of 400 MB");
            progress.onTrainBegin(state);
            state.globalStep = 7;
            progress.onStepEnd(state);
            clock.set(Duration.ofSeconds(599 + 601).toNanos());
            HttpResponse<String> hung = get(livez);
            assertEquals(503, hung.statusCode());
            assertTrue(hung.body().startsWith("no progress for 601 s (stage Training, step 7)"), hung.body());
            assertTrue(hung.body().contains("spec.progressDeadlineSeconds 600"), hung.body());
            state.globalStep = 8;
            progress.onStepEnd(state);
            assertEquals(200, get(livez).statusCode(), "a step is progress");
            progress.stage("Done", null);
            clock.set(Duration.ofSeconds(10_000).toNanos());
            assertEquals(200, get(livez).statusCode(), "a trainer that is ending is not hung");
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesProgressMetricsAndHealthFromTheLoopCallbacks() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TrainingMeters meters = new TrainingMeters(registry, "bert-mrpc");
        AtomicLong clock = new AtomicLong();
        ProgressReporter progress = new ProgressReporter(clock::get);
        TrainerState state = new TrainerState();
        state.maxSteps = 1377;
        try (TrainerHttpServer server = new TrainerHttpServer(new InetSocketAddress("127.0.0.1", 0), registry, progress)) {
            for (var callback : new dev.finetune.trainer.train.TrainerCallback[] {meters, progress}) {
                callback.onTrainBegin(state);
            }
            state.globalStep = 459;
            state.epoch = 1.0;
            state.trainSamplesPerSecond = 27.5;
            clock.set(Duration.ofSeconds(100).toNanos());
            for (var callback : new dev.finetune.trainer.train.TrainerCallback[] {meters, progress}) {
                callback.onStepEnd(state);
                callback.onLog(state, Map.of("loss", 0.5577, "learning_rate", 3.2e-5, "grad_norm", 3.2));
                callback.onEvaluate(state, Map.of("eval_loss", 0.41, "eval_accuracy", 0.8725, "eval_f1", 0.91));
            }
            progress.onSave(state, Path.of("/workspace/bert-mrpc/checkpoint-459"));
            meters.recordCheckpointSave(Duration.ofMillis(1500));

            JsonNode report = new ObjectMapper().readTree(get(server, "/progress"));
            assertEquals("Training", report.path("stage").asText());
            assertEquals(459, report.path("progress").path("step").asLong());
            assertEquals(1377, report.path("progress").path("totalSteps").asLong());
            assertEquals(33.3, report.path("progress").path("percent").asDouble(), 1e-9);
            // 100 s for 459 steps: 918 steps left take 200 s.
            assertEquals(200, report.path("progress").path("etaSeconds").asLong());
            assertEquals(0.5577, report.path("metrics").path("trainLoss").asDouble(), 1e-12);
            assertEquals(0.91, report.path("metrics").path("evalF1").asDouble(), 1e-12);
            assertEquals("checkpoint-459", report.path("checkpoints").path("latest").asText());

            String metrics = get(server, "/metrics");
            assertTrue(metrics.contains("finetune_train_step{job=\"bert-mrpc\"} 459.0"), metrics);
            assertTrue(metrics.contains("finetune_train_total_steps{job=\"bert-mrpc\"} 1377.0"), metrics);
            assertTrue(metrics.contains("finetune_train_loss{job=\"bert-mrpc\"} 0.5577"), metrics);
            assertTrue(metrics.contains("finetune_learning_rate{job=\"bert-mrpc\"} 3.2E-5"), metrics);
            assertTrue(metrics.contains("finetune_eval_f1{job=\"bert-mrpc\"} 0.91"), metrics);
            assertTrue(metrics.contains("finetune_train_samples_per_second{job=\"bert-mrpc\"} 27.5"), metrics);
            assertTrue(metrics.contains("finetune_checkpoint_save_seconds_count{job=\"bert-mrpc\"} 1"), metrics);
            assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);
            assertEquals("ok\n", get(server, "/healthz"));
        }
    }

    @Test
    void terminationMessageStaysWithinTheKubernetesLimit(@TempDir Path dir) throws Exception {
        TrainerReport report = new ProgressReporter().snapshot();
        report.stage = "Failed";
        report.message = "x".repeat(10_000);
        Path file = dir.resolve("termination-log");
        TerminationMessage.write(file, report);
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length <= TerminationMessage.LIMIT_BYTES, "length " + bytes.length);
        assertEquals("Failed", new ObjectMapper().readTree(bytes).path("stage").asText());
    }

    private String get(TrainerHttpServer server, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
