package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.trainer.train.CrossEntropy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fp16's building blocks: casts that autograd sees through, float32 LayerNorm and softmax, and gradients on the masters. */
class MixedPrecisionTest {
    @Test
    void aCastKeepsTheGradientAndCastsItBack() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {0f, 1f, -2f, 3f}); // a zero too: cumprod's backward special-cases zeros
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray half = AutogradCast.to(w, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, half.getDataType());
                NDArray back = AutogradCast.to(half.mul(half), DataType.FLOAT32);
                assertEquals(DataType.FLOAT32, back.getDataType());
                collector.backward(back.sum());
            }
            NDArray gradient = w.getGradient();
            assertEquals(DataType.FLOAT32, gradient.getDataType());
            assertArrayEquals(new float[] {0f, 2f, -4f, 6f}, gradient.toFloatArray(), 0f);
        }
    }

    @Test
    void layerNormAndSoftmaxAreComputedInFloat32AndReturnedInFloat16() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // A row with a large offset (values float16 holds exactly): float16 statistics would lose the deviations.
            NDArray x32 = manager.create(new float[] {1000.5f, 1001.0f, 1001.5f, 1002.5f}, new Shape(1, 4));
            NDArray weight = manager.ones(new Shape(4));
            NDArray bias = manager.zeros(new Shape(4));
            NDArray expected = MixedPrecision.layerNorm(x32, new Shape(4), weight, bias, 1e-5f);
            NDArray half = MixedPrecision.layerNorm(x32.toType(DataType.FLOAT16, false), new Shape(4), weight, bias, 1e-5f);
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertArrayEquals(expected.toFloatArray(), half.toType(DataType.FLOAT32, false).toFloatArray(), 2e-3f);

            NDArray scores = manager.create(new float[] {8f, 8.001f, -65504f, 0f}, new Shape(1, 4));
            NDArray probs = MixedPrecision.softmax(scores.toType(DataType.FLOAT16, false), -1);
            assertEquals(DataType.FLOAT16, probs.getDataType());
            assertArrayEquals(scores.softmax(-1).toFloatArray(), probs.toType(DataType.FLOAT32, false).toFloatArray(), 1e-3f);
        }
    }

    /**
     * Relative error allowed per parameter between the float16 and the float32 gradient: float16 keeps 11 bits
     * (about 5e-4 relative per rounding); a 2-layer model's backward accumulates a few dozen such roundings (measured
     * worst: under 0.5%). Both rows have one label, so no gradient is the small difference of two near-equal row
     * contributions (with random weights the rows' pooled vectors nearly coincide), which would magnify the rounding.
     */
    private static final double TOLERANCE = 0.01;

    @Test
    void everyMasterGetsItsFloat32GradientWithinFloat16Precision() {
        BertConfig config = BertConfig.parse("{\"vocab_size\": 60, \"hidden_size\": 32, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 64, \"max_position_embeddings\": 16}", "tiny")
                .withLabels(2, null);
        // Two models from one seed, each trained once: a master's gradient must come from this fp16 pass alone.
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification a = BertForSequenceClassification.fromConfig(config, manager, 3);
                BertForSequenceClassification b = BertForSequenceClassification.fromConfig(config, manager, 3)) {
            Map<String, float[]> fp32 = gradients(a, manager, false);
            Map<String, float[]> fp16 = gradients(b, manager, true);
            double worst = 0;
            int compared = 0;
            StringBuilder report = new StringBuilder();
            for (String name : fp32.keySet()) {
                float[] g32 = fp32.get(name);
                float[] g16 = fp16.get(name);
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < g32.length; i++) {
                    diff += (g32[i] - g16[i]) * (g32[i] - g16[i]);
                    norm += g32[i] * g32[i];
                }
                if (name.contains("attention.self.key.bias")) {
                    continue; // softmax is blind to the key bias: its exact gradient is 0, what is there is rounding noise
                }
                assertTrue(norm > 0, name + " got no gradient: every master must get one");
                double relative = Math.sqrt(diff / norm);
                worst = Math.max(worst, relative);
                compared++;
                report.append(String.format("%s %.5f%n", name, relative));
            }
            assertEquals(fp32.size() - 2, compared);
            assertTrue(worst <= TOLERANCE, "relative |g16 - g32| / |g32| per parameter:\n" + report);
        }
    }

    private static Map<String, float[]> gradients(BertForSequenceClassification model, NDManager manager, boolean fp16) {
        try (NDManager step = manager.newSubManager()) {
            NDArray ids = step.create(new long[] {2, 5, 9, 17, 3, 0, 2, 40, 41, 42, 43, 3}, new Shape(2, 6));
            NDArray types = step.zeros(new Shape(2, 6), DataType.INT64);
            NDArray mask = step.create(new long[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
            NDArray labels = step.create(new long[] {0, 0});
            NDArray scale = step.create(1024f);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = fp16 ? model.forwardFloat16(ids, types, mask, false) : model.forward(ids, types, mask, false);
                assertEquals(DataType.FLOAT32, logits.getDataType());
                collector.backward(CrossEntropy.sum(logits, labels).mul(scale));
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                assertEquals(DataType.FLOAT32, g.getDataType(), e.getKey());
                out.put(e.getKey(), g.toFloatArray());
            }
            return out;
        }
    }
}
