package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.finetune.trainer.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.training.fp16: true} through {@code run}, on the CPU: the quickstart and all-MiniLM-L6-v2 on MRPC train
 * to within a stated tolerance of the same run in float32 (libtorch's CPU kernels take float16 too, slowly).
 */
class Fp16RunTest {
    private static final Pattern EVAL_LOSS = Pattern.compile("'eval_loss': ([0-9.]+)");
    private static final Pattern EVAL_ACCURACY = Pattern.compile("'eval_accuracy': ([0-9.]+)");
    /** Per evaluation: |eval_loss(fp16) - eval_loss(fp32)|; float16 compute moves the quickstart's by ~1e-3. */
    private static final double EVAL_LOSS_TOLERANCE = 0.02;
    /** Per evaluation: at most this share of the evaluation rows may change class. */
    private static final double ACCURACY_TOLERANCE = 0.03;

    @TempDir
    Path tmp;

    @Test
    void theQuickstartInFp16EndsWithinToleranceOfFloat32() throws Exception {
        Path examples = Path.of("examples").toAbsolutePath();
        String manifest = Files.readString(examples.resolve("quickstart.yaml"))
                .replace("uri: quickstart/", "uri: " + examples.resolve("quickstart").toUri() + "/");
        compare(manifest, manifest.replace("    seed: 42\n", "    seed: 42\n    fp16: true\n"), 3);
    }

    @Test
    void allMiniLmOnMrpcInFp16EndsWithinToleranceOfFloat32() throws Exception {
        Path shared = Path.of(System.getProperty("finetune.shared", "../shared")).toAbsolutePath();
        Path model = shared.resolve("models/all-MiniLM-L6-v2");
        Path data = shared.resolve("data/glue-mrpc");
        assumeTrue(Files.isRegularFile(model.resolve("model.safetensors")) && Files.isRegularFile(data.resolve("train.jsonl")),
                "needs ../shared/models/all-MiniLM-L6-v2 and ../shared/data/glue-mrpc");
        String manifest = """
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata: {name: minilm-fp16}
                spec:
                  model: {uri: "MODEL"}
                  dataset: {uri: "DATA", trainSplit: train, evalSplit: validation}
                  task: {numLabels: 2, textFields: [sentence1, sentence2], labelField: label, maxLength: 64}
                  training: {maxSteps: 40, perDeviceTrainBatchSize: 16, perDeviceEvalBatchSize: 64, learningRate: 5.0e-5,
                             evalStrategy: steps, evalSteps: 20, saveStrategy: "no", loggingSteps: 10, seed: 42}
                  resources: {gpus: 0}
                """.replace("MODEL", model.toUri().toString()).replace("DATA", data.toUri().toString());
        compare(manifest, manifest.replace("seed: 42}", "seed: 42, fp16: true}"), 2);
    }

    private void compare(String manifest, String fp16Manifest, int evaluations) throws Exception {
        assertTrue(fp16Manifest.contains("fp16: true"), fp16Manifest);
        String fp32 = run(manifest, "fp32");
        ListAppender<ILoggingEvent> trainerLog = new ListAppender<>();
        trainerLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Trainer.class);
        logger.addAppender(trainerLog);
        String fp16;
        try {
            fp16 = run(fp16Manifest, "fp16");
        } finally {
            logger.detachAppender(trainerLog);
        }
        assertTrue(trainerLog.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("fp16: float16 compute")),
                "the fp16 run trained in float16");
        List<Double> loss32 = all(EVAL_LOSS, fp32);
        List<Double> loss16 = all(EVAL_LOSS, fp16);
        List<Double> accuracy32 = all(EVAL_ACCURACY, fp32);
        List<Double> accuracy16 = all(EVAL_ACCURACY, fp16);
        assertEquals(evaluations, loss32.size(), fp32);
        assertEquals(evaluations, loss16.size(), fp16);
        for (int i = 0; i < evaluations; i++) {
            assertEquals(loss32.get(i), loss16.get(i), EVAL_LOSS_TOLERANCE, "eval_loss fp32 " + loss32 + " fp16 " + loss16);
            assertEquals(accuracy32.get(i), accuracy16.get(i), ACCURACY_TOLERANCE,
                    "eval_accuracy fp32 " + accuracy32 + " fp16 " + accuracy16);
        }
    }

    private String run(String manifest, String name) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, manifest);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exitCode;
        try {
            exitCode = Main.commandLine().execute("run", file.toString(), "--output", tmp.resolve(name).toString(),
                    "--no-progress-bar");
        } finally {
            System.setOut(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, text);
        assertTrue(text.contains("'train_loss'"), text);
        return text;
    }

    private static List<Double> all(Pattern pattern, String text) {
        return pattern.matcher(text).results().map(r -> Double.parseDouble(r.group(1))).toList();
    }
}
