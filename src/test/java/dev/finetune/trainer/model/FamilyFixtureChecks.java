package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks every family's fixture should pass through the registry ({@link ModelFamilies}): loading with the
 * base-model prefix stripped, and fp16 through {@link MixedPrecision} near float32 with a gradient on each master.
 */
public final class FamilyFixtureChecks {
    private FamilyFixtureChecks() {}

    /** As from_pretrained with the folder's own labels. */
    public static SequenceClassificationModel load(Path dir, NDManager manager) throws Exception {
        int numLabels = ModelFamilies.readConfig(dir.resolve("config.json")).numLabels();
        return ModelFamilies.fromPretrained(dir, numLabels, null, manager, 0);
    }

    /** {@code fixture}'s weights renamed without {@code prefix} load (into {@code tmp}) to the same parameters. */
    public static void assertLoadsWithoutBaseModelPrefix(Path fixture, String prefix, Path tmp) throws Exception {
        Path stripped = tmp.resolve("stripped");
        Files.createDirectories(stripped);
        Files.copy(fixture.resolve("config.json"), stripped.resolve("config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> renamed = new LinkedHashMap<>();
            try (SafetensorsReader reader = SafetensorsReader.open(fixture.resolve("model.safetensors"))) {
                reader.readAll(manager).forEach((name, array) ->
                        renamed.put(name.startsWith(prefix) ? name.substring(prefix.length()) : name, array));
            }
            assertTrue(renamed.keySet().stream().noneMatch(n -> n.startsWith(prefix)));
            SafetensorsWriter.write(stripped.resolve("model.safetensors"), renamed);
            try (SequenceClassificationModel original = load(fixture, manager);
                    SequenceClassificationModel model = load(stripped, manager)) {
                assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
                assertEquals(original.namedParameters().keySet(), model.namedParameters().keySet());
                for (Map.Entry<String, NDArray> e : original.namedParameters().entrySet()) {
                    assertArrayEquals(e.getValue().toFloatArray(), model.namedParameters().get(e.getKey()).toFloatArray(),
                            e.getKey());
                }
            }
        }
    }

    /**
     * fp16 on the fixture batch: float32 logits within {@code logitTolerance} of the float32 pass, and every
     * float32 master a finite float32 gradient, non-zero except where {@code zeroGradient} says it is zero in exact
     * arithmetic (attention key biases).
     */
    public static void assertFloat16NearFloat32(SequenceClassificationModel model, NDArray ids, NDArray types,
            NDArray mask, double logitTolerance, Predicate<String> zeroGradient) {
        float[] full = model.forward(ids, types, mask, false).toFloatArray();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forwardFloat16(ids, types, mask, false);
            assertEquals(DataType.FLOAT32, logits.getDataType());
            float[] half = logits.toFloatArray();
            for (int i = 0; i < half.length; i++) {
                assertTrue(Math.abs(half[i] - full[i]) <= logitTolerance,
                        "logit " + i + ": fp16 " + half[i] + " vs fp32 " + full[i]);
            }
            collector.backward(logits.sum());
        }
        model.namedParameters().forEach((name, p) -> {
            NDArray gradient = p.getGradient();
            assertEquals(DataType.FLOAT32, gradient.getDataType(), name);
            double sum = 0;
            for (float v : gradient.toFloatArray()) {
                assertTrue(Float.isFinite(v), name + " has a non-finite gradient");
                sum += Math.abs(v);
            }
            assertTrue(sum > 0 || zeroGradient.test(name), name + " got no gradient through the fp16 casts");
            gradient.set(new NDIndex("..."), 0);
        });
    }
}
