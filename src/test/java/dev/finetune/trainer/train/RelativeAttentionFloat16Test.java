package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.deberta.DebertaV2Config;
import dev.finetune.trainer.model.deberta.DebertaV2ForSequenceClassification;
import dev.finetune.trainer.model.mpnet.MPNetConfig;
import dev.finetune.trainer.model.mpnet.MPNetForSequenceClassification;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * MPNet and DeBERTa-v2 under fp16 ({@link MixedPrecision}): every parameter the forward pass uses comes through the
 * weights hook (each float32 master gets a finite gradient through the casts), the
 * logits stay float32 and near the float32 ones, and a padded batch stays finite.
 */
class RelativeAttentionFloat16Test {
    private interface Forward {
        NDArray apply(NDArray ids, NDArray types, NDArray mask, UnaryOperator<NDArray> weights);
    }

    private static void check(Forward forward, LinkedHashMap<String, NDArray> params, NDManager manager, long pad) {
        NDArray ids = manager.create(new long[] {5, 6, 7, 8, 9, 10, 11, 12, 5, 9, pad, pad, pad, pad, pad, pad},
                new Shape(2, 8));
        NDArray types = manager.zeros(new Shape(2, 8), DataType.INT64);
        NDArray mask = manager.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, new Shape(2, 8));
        float[] full;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = forward.apply(ids, types, mask, UnaryOperator.identity());
            full = logits.toFloatArray();
            collector.backward(logits.sum());
        }
        // Cleared by assignment: subtracting a gradient from itself would leave NaN where it held inf.
        params.values().forEach(p -> p.getGradient().set(new NDIndex("..."), 0));
        Set<NDArray> layerNorms = Collections.newSetFromMap(new IdentityHashMap<>());
        params.forEach((name, p) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                layerNorms.add(p);
            }
        });
        try (NDManager step = manager.newSubManager()) {
            NDArray logits;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                logits = forward.apply(ids, types, mask, MixedPrecision.float16Weights(layerNorms));
                assertEquals(DataType.FLOAT32, logits.getDataType());
                collector.backward(logits.sum());
            }
            float[] h = logits.toFloatArray();
            for (int i = 0; i < h.length; i++) {
                assertTrue(Math.abs(h[i] - full[i]) < 0.05, "logit " + i + ": fp16 " + h[i] + " vs fp32 " + full[i]);
            }
            params.forEach((name, p) -> {
                float[] g = p.getGradient().toFloatArray();
                double sum = 0;
                for (float v : g) {
                    assertTrue(Float.isFinite(v), name + " has a non-finite gradient");
                    sum += Math.abs(v);
                }
                // Every parameter reached the loss through the hook (the padding rows of the tables apart).
                assertTrue(sum > 0 || name.endsWith("k.bias") || name.endsWith("key_proj.bias"), name + " got no gradient");
            });
        }
    }

    @Test
    void mpnetThroughTheFloat16Hook() {
        MPNetConfig config = MPNetConfig.parse("{\"vocab_size\": 40, \"hidden_size\": 16, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 2, \"intermediate_size\": 32, \"max_position_embeddings\": 20}", "tiny");
        try (NDManager manager = NDManager.newBaseManager();
                MPNetForSequenceClassification model = MPNetForSequenceClassification.fromConfig(config, manager, 3)) {
            check((i, t, m, w) -> model.forward(i, t, m, false, w), model.namedParameters(), manager, 1);
        }
    }

    @Test
    void debertaV2ThroughTheFloat16Hook() {
        DebertaV2Config config = DebertaV2Config.parse("{\"vocab_size\": 40, \"hidden_size\": 16, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 2, \"intermediate_size\": 32, \"max_position_embeddings\": 20,"
                + " \"relative_attention\": true, \"position_buckets\": 4, \"pos_att_type\": [\"p2c\", \"c2p\"],"
                + " \"share_att_key\": true, \"position_biased_input\": false, \"norm_rel_ebd\": \"layer_norm\"}", "tiny");
        try (NDManager manager = NDManager.newBaseManager();
                DebertaV2ForSequenceClassification model = DebertaV2ForSequenceClassification.fromConfig(config, manager, 3)) {
            check((i, t, m, w) -> model.forward(i, t, m, false, w), model.namedParameters(), manager, 0);
        }
    }
}
