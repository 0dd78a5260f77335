package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.model.BertForSequenceClassification;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** float16 forward and backward give every float32 master the gradient float32 gives it, within float16 precision. */
class Float16ComputeTest {
    /**
     * Relative error allowed per parameter: float16 keeps about 3 digits, and with random init the rows'
     * pooled vectors nearly coincide, so gradients that are differences of rows lose more (up to ~13% here).
     */
    private static final double TOLERANCE = 0.2;

    @Test
    void everyMasterGetsTheFloat32GradientWithinFloat16Precision() {
        BertConfig config = BertConfig.parse("{\"vocab_size\": 60, \"hidden_size\": 32, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 64, \"max_position_embeddings\": 16}", "tiny")
                .withLabels(2, null);
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(config, manager, 3)) {
            LinkedHashMap<String, NDArray> params = model.namedParameters();
            Map<String, float[]> fp32 = gradients(model, manager, null);
            Map<String, float[]> fp16 = gradients(model, manager, new Float16Compute(params));
            double worst = 0;
            StringBuilder report = new StringBuilder();
            for (String name : params.keySet()) {
                float[] a = fp32.get(name);
                float[] b = fp16.get(name);
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < a.length; i++) {
                    diff += (a[i] - b[i]) * (a[i] - b[i]);
                    norm += a[i] * a[i];
                }
                if (Math.sqrt(norm) < 1e-3 * 65536) {
                    continue; // e.g. the key bias: softmax is blind to it, its gradient is rounding noise
                }
                worst = Math.max(worst, Math.sqrt(diff / norm));
                report.append(name).append(String.format(" %.4f%n", Math.sqrt(diff / norm)));
            }
            System.out.print(report);
            assertTrue(worst <= TOLERANCE, "relative |g16 - g32| / |g32| per parameter:\n" + report);
        }
    }

    private static Map<String, float[]> gradients(BertForSequenceClassification model, NDManager manager, Float16Compute half) {
        try (NDManager step = manager.newSubManager()) {
            NDArray ids = step.create(new long[] {2, 5, 9, 17, 3, 0, 2, 40, 41, 42, 43, 3}, new Shape(2, 6));
            NDArray types = step.zeros(new Shape(2, 6), DataType.INT64);
            NDArray mask = step.create(new long[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
            NDArray labels = step.create(new long[] {0, 1});
            NDArray scale = step.create(65536f);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = half == null ? model.forward(ids, types, mask, false)
                        : model.forward(ids, types, mask, false, half.copiesIn(step));
                assertEquals(DataType.FLOAT32, logits.getDataType());
                collector.backward(CrossEntropy.sum(logits, labels).mul(scale));
                if (half != null) {
                    half.accumulateGradients(step);
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                out.put(e.getKey(), g.toFloatArray());
                g.subi(g);
                g.close();
            }
            return out;
        }
    }
}
