package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.trainer.train.AdamW;
import dev.finetune.trainer.train.CrossEntropy;
import dev.finetune.trainer.train.GradientClipper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One case of shared/fixtures/hf-oracle: its inputs, the float64 reference tensors transformers computed, the
 * tolerances and training settings of its case.json. Tests skip where the shared folder is absent.
 */
public final class HfOracleCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode inputs;
    private final JsonNode caseJson;
    private final Map<String, double[]> floats = new LinkedHashMap<>();
    private final Map<String, long[]> longs = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private HfOracleCase(Path dir) throws IOException {
        this.dir = dir;
        inputs = JSON.readTree(dir.resolve("inputs.json").toFile());
        caseJson = JSON.readTree(dir.resolve("case.json").toFile());
        readExpected(dir.resolve("expected.safetensors"));
    }

    private static Path oracle() {
        return Path.of(System.getProperty("finetune.shared", "../shared")).resolve("fixtures/hf-oracle");
    }

    /**
     * The names of every case folder, sorted (a placeholder, which {@link #load} skips, when the shared folder is
     * absent): a table-driven test over them picks up cases added later.
     */
    public static Stream<String> names() throws IOException {
        if (!Files.isDirectory(oracle())) {
            return Stream.of("(no shared folder)");
        }
        try (Stream<Path> dirs = Files.list(oracle())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("case.json"))).map(d -> d.getFileName().toString())
                    .sorted().toList().stream();
        }
    }

    /** The case folder {@code name} under finetune.shared's fixtures/hf-oracle, or the test is skipped. */
    public static HfOracleCase load(String name) throws IOException {
        Path dir = oracle().resolve(name);
        assumeTrue(Files.isRegularFile(dir.resolve("expected.safetensors")),
                "skipped: " + dir + " is absent (set -Dfinetune.shared to the shared folder)");
        return new HfOracleCase(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path tokenClassificationDir() {
        return dir.resolve("token_classification");
    }

    public int numLabels() {
        return caseJson.get("num_labels").asInt();
    }

    /** case.json's model_type (the family transformers' Auto classes chose). */
    public String modelType() {
        return caseJson.get("model_type").asText();
    }

    /** transformers' problem_type of the sequence head. */
    public String problemType() {
        return caseJson.get("problem_type").asText();
    }

    /** Whether the case has the token-classification and training references (the "main" cases). */
    public boolean isMain() {
        return caseJson.get("kind").asText().equals("main");
    }

    public int numTokenLabels() {
        return caseJson.get("num_token_labels").asInt();
    }

    public NDArray inputIds(NDManager manager) {
        return matrix(manager, "input_ids");
    }

    public NDArray attentionMask(NDManager manager) {
        return matrix(manager, "attention_mask");
    }

    /** Null where the family's tokenizer gives none. */
    public NDArray tokenTypeIds(NDManager manager) {
        return inputs.has("token_type_ids") ? matrix(manager, "token_type_ids") : null;
    }

    public NDArray labels(NDManager manager) {
        JsonNode labels = inputs.get("labels");
        long[] values = new long[labels.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = labels.get(i).asLong();
        }
        return manager.create(values);
    }

    /**
     * The float labels of a multi-label or regression case as float32 (B, width): a multi-hot row per example, or
     * one value per example (width 1), as the trainer's collator makes them.
     */
    public NDArray targets(NDManager manager) {
        JsonNode labels = inputs.get("labels");
        int width = labels.get(0).isArray() ? labels.get(0).size() : 1;
        float[] values = new float[labels.size() * width];
        for (int i = 0; i < labels.size(); i++) {
            for (int k = 0; k < width; k++) {
                values[i * width + k] = (float) (width == 1 && !labels.get(i).isArray() ? labels.get(i) : labels.get(i).get(k)).asDouble();
            }
        }
        return manager.create(values, new Shape(labels.size(), width));
    }

    /** The case's labels as inputs.json writes them (ids, multi-hot rows or values). */
    public JsonNode labelsJson() {
        return inputs.get("labels");
    }

    /**
     * The sequence head's labels as its problem_type's loss takes them, as the trainer's collator makes them: int64
     * class ids (single-label), else the float32 (B, width) {@link #targets}.
     */
    public NDArray sequenceTargets(NDManager manager) {
        return problemType().equals("single_label_classification") ? labels(manager) : targets(manager);
    }

    public NDArray tokenLabels(NDManager manager) {
        return matrix(manager, "token_labels");
    }

    private NDArray matrix(NDManager manager, String key) {
        JsonNode rows = inputs.get(key);
        int b = rows.size();
        int t = rows.get(0).size();
        long[] values = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                values[i * t + j] = rows.get(i).get(j).asLong();
            }
        }
        return manager.create(values, new Shape(b, t));
    }

    public boolean has(String name) {
        return floats.containsKey(name) || longs.containsKey(name);
    }

    public double[] expected(String name) {
        double[] values = floats.get(name);
        if (values == null) {
            throw new IllegalArgumentException(dir + ": expected.safetensors has no float tensor " + name);
        }
        return values;
    }

    public long[] expectedLongs(String name) {
        return longs.get(name);
    }

    public Shape expectedShape(String name) {
        return new Shape(shapes.get(name));
    }

    /** case.json's suggested float32 tolerance for {@code name} (after2/<param>, else after2/*). */
    public double tolerance(String name) {
        JsonNode tolerances = caseJson.get("suggested_abs_tolerance_float32");
        JsonNode t = tolerances.get(name);
        if (t == null && name.startsWith("after2/")) {
            t = tolerances.get("after2/*");
        }
        if (t == null) {
            throw new IllegalArgumentException(dir + ": case.json suggests no tolerance for " + name);
        }
        return t.asDouble();
    }

    /** Flat indices of the sensitive elements of {@code parameter} (after2_sensitive/<param>), or none. */
    public Set<Long> sensitive(String parameter) {
        Set<Long> out = new HashSet<>();
        long[] indices = longs.get("after2_sensitive/" + parameter);
        if (indices != null) {
            for (long i : indices) {
                out.add(i);
            }
        }
        return out;
    }

    public JsonNode training() {
        return caseJson.get("training");
    }

    public Set<String> noDecayParameters() {
        Set<String> out = new HashSet<>();
        training().get("no_decay_parameters").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Asserts {@code actual} within case.json's float32 tolerance of the reference {@code tensor}, and prints the error. */
    public void assertWithin(String tensor, float[] actual) {
        double error = maxAbsDiff(actual, expected(tensor));
        double tolerance = tolerance(tensor);
        System.out.printf("hf-oracle %s %s: max abs error %.3e (tolerance %.0e)%n", dir.getFileName(), tensor, error,
                tolerance);
        if (error > tolerance) {
            throw new AssertionError(dir.getFileName() + " " + tensor + ": max abs error " + error + " > " + tolerance);
        }
    }

    /** The largest |actual - expected| over all elements. */
    public static double maxAbsDiff(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " vs expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        return max;
    }

    /** What two training steps gave: losses and norms per step, the loss after them. */
    public record TwoSteps(double[] loss, double[] gradNorm, double lossAfter) {}

    /**
     * The fixture's training: {@code steps} AdamW steps (the project's AdamW with case.json's lr, betas, eps and
     * weight decay, global clipping at clip_grad_norm) on the same batch, dropout off, mean cross-entropy.
     */
    public TwoSteps train(SequenceClassificationModel model, NDManager manager) {
        JsonNode t = training();
        int steps = t.get("steps").asInt();
        AdamW optimizer = new AdamW(model.namedParameters(), t.get("betas").get(0).asDouble(), t.get("betas").get(1).asDouble(),
                t.get("eps").asDouble(), t.get("weight_decay").asDouble());
        double lr = t.get("lr").asDouble();
        double clip = t.get("clip_grad_norm").asDouble();
        double[] losses = new double[steps];
        double[] norms = new double[steps];
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = inputIds(scope);
            NDArray types = tokenTypeIds(scope);
            NDArray mask = attentionMask(scope);
            NDArray labels = labels(scope);
            NDArray rows = scope.create((float) labels.size());
            for (int step = 0; step < steps; step++) {
                try (NDManager stepScope = scope.newSubManager()) {
                    stepScope.tempAttachAll(ids, mask, labels, rows);
                    if (types != null) {
                        stepScope.tempAttachAll(types);
                    }
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = CrossEntropy.sum(model.forward(ids, types, mask, false), labels).div(rows);
                        collector.backward(loss);
                        losses[step] = loss.getFloat();
                    }
                    Map<String, NDArray> gradients = new LinkedHashMap<>();
                    model.namedParameters().forEach((name, p) -> {
                        NDArray g = p.getGradient();
                        g.attach(stepScope);
                        gradients.put(name, g);
                    });
                    norms[step] = GradientClipper.globalNorm(gradients.values());
                    optimizer.step(gradients, lr, GradientClipper.scale(norms[step], clip));
                }
            }
            double after = CrossEntropy.sum(model.forward(ids, types, mask, false), labels).div(rows).getFloat();
            optimizer.close();
            return new TwoSteps(losses, norms, after);
        }
    }

    private void readExpected(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong(0);
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        long base = 8 + headerLength;
        for (var it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode info = e.getValue();
            long begin = base + info.get("data_offsets").get(0).asLong();
            long end = base + info.get("data_offsets").get(1).asLong();
            int count = (int) ((end - begin) / 8);
            long[] shape = new long[info.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.get("shape").get(i).asLong();
            }
            shapes.put(e.getKey(), shape);
            String dtype = info.get("dtype").asText();
            if (dtype.equals("F64")) {
                double[] values = new double[count];
                for (int i = 0; i < count; i++) {
                    values[i] = buffer.getDouble((int) begin + 8 * i);
                }
                floats.put(e.getKey(), values);
            } else if (dtype.equals("I64")) {
                long[] values = new long[count];
                for (int i = 0; i < count; i++) {
                    values[i] = buffer.getLong((int) begin + 8 * i);
                }
                longs.put(e.getKey(), values);
            } else {
                throw new IOException(file + ": unexpected dtype " + dtype + " for " + e.getKey());
            }
        }
    }
}
