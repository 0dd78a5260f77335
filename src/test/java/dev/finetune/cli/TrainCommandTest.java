package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * `train` for real, as the pod runs it: a 2-layer BERT with random weights (examples/quickstart) trained
 * for a few dozen steps in this JVM, its /progress and /metrics read while it runs, then the exit code,
 * the termination message the operator reads and the final model checked.
 */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path QUICKSTART = Path.of("examples", "quickstart").toAbsolutePath();
    private static final int MAX_STEPS = 60;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    @Test
    void trainsServesProgressAndMetricsWhileRunningAndReportsTheResult() throws Exception {
        Path config = writeJob(QUICKSTART.resolve("data").toUri());
        Path output = tmp.resolve("output");
        Path terminationLog = tmp.resolve("termination-log");
        int port = freePort();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.commandLine().execute("train",
                "--config", config.toString(), "--workspace", tmp.resolve("workspace").toString(),
                "--output", output.toString(), "--port", String.valueOf(port), "--termination-log", terminationLog.toString()));

        TrainerReport training = awaitWhileRunning(exit, "stage Training with step > 0", () -> {
            TrainerReport report = JSON.readValue(get(port, "/progress"), TrainerReport.class);
            return "Training".equals(report.stage) && report.progress != null && report.progress.step != null
                    && report.progress.step > 0 ? report : null;
        });
        assertEquals(MAX_STEPS, training.progress.totalSteps);
        String metrics = awaitWhileRunning(exit, "step and loss on /metrics", () -> {
            String text = get(port, "/metrics");
            return gauge(text, "finetune_train_step") > 0 && !Double.isNaN(gauge(text, "finetune_train_loss")) ? text : null;
        });
        assertTrue(gauge(metrics, "finetune_train_total_steps") == MAX_STEPS, metrics);

        assertEquals(0, exit.get(60, TimeUnit.SECONDS));
        TrainerReport last = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertEquals("Done", last.stage);
        assertEquals(MAX_STEPS, last.progress.step);
        assertNotNull(last.metrics.trainLoss, "final train loss");
        assertNotNull(last.metrics.evalAccuracy, "final eval accuracy");
        assertTrue(Files.isRegularFile(output.resolve("final").resolve("config.json")));
        assertTrue(Files.size(output.resolve("final").resolve("model.safetensors")) > 1_000_000);
    }

    @Test
    void aBrokenManifestExitsTwoWithAFailedTerminationMessageNamingTheField() throws Exception {
        Path config = writeJob(QUICKSTART.resolve("data").toUri());
        Files.writeString(config, Files.readString(config).replace("learningRate: 1.0e-3", "learningRate: fast"));
        Path terminationLog = tmp.resolve("termination-log");

        int code = Main.commandLine().execute("train", "--config", config.toString(), "--workspace", tmp.toString(),
                "--port", String.valueOf(freePort()), "--termination-log", terminationLog.toString());

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertEquals("Failed", report.stage);
        assertTrue(report.message.contains("learningRate"), report.message);
    }

    @Test
    void brokenDataExitsTwoWithAFailedTerminationMessageNamingTheFileAndLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.copy(QUICKSTART.resolve("data").resolve("validation.jsonl"), data.resolve("validation.jsonl"));
        var lines = Files.readAllLines(QUICKSTART.resolve("data").resolve("train.jsonl"));
        lines.set(2, "{\"sentence1\": \"no closing brace\"");
        Files.write(data.resolve("train.jsonl"), lines);
        Path config = writeJob(data.toUri());
        Path terminationLog = tmp.resolve("termination-log");

        int code = trainInTmp(config, terminationLog);

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertEquals("Failed", report.stage);
        assertTrue(report.message.contains("train.jsonl:3"), report.message);
    }

    @Test
    void moreThanOneGpuExitsTwoNamingTheField() throws Exception {
        Path config = writeJob(QUICKSTART.resolve("data").toUri());
        Files.writeString(config, Files.readString(config).replace("gpus: 0", "gpus: 4"));
        Path terminationLog = tmp.resolve("termination-log");

        int code = trainInTmp(config, terminationLog);

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertTrue(report.message.contains("spec.resources.gpus must be 0 or 1 (got 4)"), report.message);
    }

    @Test
    void aGpuJobOnAMachineWhereLibtorchCannotSeeOneFailsAtOnceInsteadOfTrainingOnTheCpu() throws Exception {
        // This machine has the CPU libtorch: a pod with it that asked for a GPU is misconfigured (exit 2).
        Path config = writeJob(QUICKSTART.resolve("data").toUri());
        Files.writeString(config, Files.readString(config).replace("gpus: 0", "gpus: 1"));
        Path terminationLog = tmp.resolve("termination-log");

        int code = trainInTmp(config, terminationLog);

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertTrue(report.message.startsWith("spec.resources.gpus is 1 but the trainer image's PyTorch is the cpu flavour"),
                report.message);
        assertTrue(!Files.exists(tmp.resolve("output")), "nothing trained");
    }

    @Test
    void anUnwritableOutputExitsTwoBeforeTrainingWithAHintAboutTheVolume() throws Exception {
        Path config = writeJob(QUICKSTART.resolve("data").toUri());
        Path workspace = Files.writeString(tmp.resolve("workspace"), "a file where the volume should be");
        Path terminationLog = tmp.resolve("termination-log");

        int code = Main.commandLine().execute("train", "--config", config.toString(), "--workspace", workspace.toString(),
                "--port", String.valueOf(freePort()), "--termination-log", terminationLog.toString());

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertEquals("Failed", report.stage);
        assertTrue(report.message.startsWith("output folder " + workspace.resolve("tiny") + " cannot be created"), report.message);
        assertTrue(report.message.contains("fsGroup"), report.message);
        assertNull(report.progress, "nothing was trained");
    }

    @Test
    void aMaxLengthBeyondTheModelsPositionsExitsTwoBeforeAnyDataIsRead() throws Exception {
        // Broken data: were it read first, the message would name train.jsonl:3 instead.
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("train.jsonl"), "{\"sentence1\": \"no closing brace\"\n");
        Path config = writeJob(data.toUri());
        Files.writeString(config, Files.readString(config).replace("maxLength: 64", "maxLength: 256"));
        Path terminationLog = tmp.resolve("termination-log");

        int code = trainInTmp(config, terminationLog);

        assertEquals(2, code);
        TrainerReport report = JSON.readValue(Files.readString(terminationLog), TrainerReport.class);
        assertEquals("Failed", report.stage);
        // The quickstart model's config.json says max_position_embeddings 128.
        assertTrue(report.message.contains("spec.task.maxLength 256 exceeds the model's max_position_embeddings 128"),
                report.message);
    }

    /** The quickstart job, shortened, on the given data folder; the model is the quickstart's, by absolute URI. */
    private Path writeJob(URI data) throws IOException {
        Path config = tmp.resolve("job.yaml");
        Files.writeString(config, """
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: tiny
                spec:
                  model:
                    uri: %s
                    initialization: random
                  dataset:
                    uri: %s
                    trainSplit: train
                    evalSplit: validation
                  task:
                    type: SequenceClassification
                    numLabels: 2
                    textFields: [sentence1, sentence2]
                    labelField: label
                    maxLength: 64
                  training:
                    maxSteps: %d
                    perDeviceTrainBatchSize: 8
                    perDeviceEvalBatchSize: 32
                    learningRate: 1.0e-3
                    evalStrategy: steps
                    evalSteps: %d
                    saveStrategy: "no"
                    loggingSteps: 5
                    seed: 42
                  resources:
                    gpus: 0
                """.formatted(QUICKSTART.resolve("model").toUri(), data, MAX_STEPS, MAX_STEPS));
        return config;
    }

    interface Probe<T> {
        T check() throws Exception;
    }

    /** Polls until the probe returns a value, failing if training ends first (it would never come). */
    private static <T> T awaitWhileRunning(CompletableFuture<Integer> exit, String what, Probe<T> probe) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (exit.isDone()) {
                throw new AssertionError("train ended (exit " + exit.get() + ") before " + what);
            }
            try {
                T value = probe.check();
                if (value != null) {
                    return value;
                }
            } catch (IOException notServingYet) {
                // the server starts after the JVM has loaded the job
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** A gauge's value for job "tiny" in Prometheus text, NaN when absent. */
    private static double gauge(String prometheusText, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*job=\"tiny\"[^}]*\\} (\\S+)$").matcher(prometheusText);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** `train` with the workspace at tmp and the output at tmp/output, as the pod runs it. */
    private int trainInTmp(Path config, Path terminationLog) throws Exception {
        return Main.commandLine().execute("train", "--config", config.toString(), "--workspace", tmp.toString(),
                "--output", tmp.resolve("output").toString(), "--port", String.valueOf(freePort()),
                "--termination-log", terminationLog.toString());
    }
}
