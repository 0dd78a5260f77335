package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BertForSequenceClassificationTest {

    @Test
    void parametersHaveTransformersNamesAndShapes() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 1)) {
            Map<String, NDArray> params = model.namedParameters();
            assertEquals(5 + 2 * 16 + 2 + 2, params.size());
            List<String> names = List.copyOf(params.keySet());
            assertEquals("bert.embeddings.word_embeddings.weight", names.get(0));
            assertEquals(List.of("classifier.weight", "classifier.bias"), names.subList(names.size() - 2, names.size()));
            assertEquals(new Shape(32, 16), params.get("bert.encoder.layer.1.intermediate.dense.weight").getShape());
            assertEquals(new Shape(16, 32), params.get("bert.encoder.layer.1.output.dense.weight").getShape());
            assertEquals(new Shape(2, 16), params.get("classifier.weight").getShape());
            assertTrue(params.containsKey("bert.encoder.layer.0.attention.self.query.bias"));
            assertTrue(params.containsKey("bert.encoder.layer.0.attention.output.LayerNorm.weight"));
            assertTrue(params.containsKey("bert.pooler.dense.weight"));
            params.values().forEach(p -> assertTrue(p.hasGradient(), p.getName() + " should require a gradient"));
            // transformers' init: LayerNorm 1/0, zero biases, the padding row of the word table zero.
            assertEquals(16f, params.get("bert.embeddings.LayerNorm.weight").sum().getFloat(), 0f);
            assertEquals(0f, params.get("classifier.bias").abs().sum().getFloat());
            assertEquals(0f, params.get("bert.embeddings.word_embeddings.weight").get(0).abs().sum().getFloat());
        }
    }

    @Test
    void sameSeedGivesSameWeightsAndOtherSeedDiffers() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification a = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 7);
                BertForSequenceClassification b = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 7);
                BertForSequenceClassification c = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 8)) {
            for (String name : a.namedParameters().keySet()) {
                assertArrayEquals(a.namedParameters().get(name).toFloatArray(), b.namedParameters().get(name).toFloatArray(), name);
            }
            assertFalse(a.namedParameters().get("classifier.weight").contentEquals(c.namedParameters().get("classifier.weight")));
        }
    }

    @Test
    void runsAnyLengthUpToMaxPositionEmbeddings() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(512), manager, 1)) {
            for (int length : new int[] {64, 7}) {
                try (NDManager batch = manager.newSubManager()) {
                    NDArray[] in = TinyBert.inputs(batch, 3, length, 2);
                    NDArray logits = model.forward(in[0], in[1], in[2], false);
                    assertEquals(new Shape(3, 2), logits.getShape());
                    assertTrue(Float.isFinite(logits.sum().getFloat()));
                }
            }
            try (NDManager batch = manager.newSubManager()) {
                NDArray[] in = TinyBert.inputs(batch, 1, 513, 0);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.forward(in[0], in[1], in[2], false));
                assertTrue(e.getMessage().contains("max_position_embeddings 512"), e.getMessage());
            }
            try (NDManager batch = manager.newSubManager()) {
                NDArray[] in = TinyBert.inputs(batch, 2, 5, 0);
                NDArray shortMask = in[2].get(":, :4");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.forward(in[0], in[1], shortMask, false));
                assertTrue(e.getMessage().contains("attentionMask has shape (2, 4)"), e.getMessage());
            }
        }
    }

    @Test
    void paddingDoesNotChangeTheOutputOfTheOtherTokens() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 3)) {
            NDArray[] padded = TinyBert.inputs(manager, 1, 12, 4);
            NDArray[] trimmed = {padded[0].get(":, :8"), padded[1].get(":, :8"), padded[2].get(":, :8")};
            NDArray a = model.forward(padded[0], padded[1], padded[2], false);
            NDArray b = model.forward(trimmed[0], trimmed[1], trimmed[2], false);
            assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-5f);
        }
    }

    /** What the training loop does: forward in a collector, backward, read gradients, update in place, reseed dropout. */
    @Test
    void trainingStepReachesEveryParameterAndDropoutFollowsTheEngineSeed() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 5)) {
            NDArray before;
            NDArray first;
            try (NDManager step = manager.newSubManager()) {
                NDArray[] in = TinyBert.inputs(step, 4, 10, 3);
                NDArray labels = step.create(new long[] {0, 1, 1, 0});
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    Engine.getInstance().setRandomSeed(11);
                    NDArray logits = model.forward(in[0], in[1], in[2], true);
                    NDArray loss = logits.logSoftmax(-1).gather(labels.expandDims(1), 1).neg().mean();
                    collector.backward(loss);
                }
                for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                    NDArray grad = e.getValue().getGradient();
                    assertNotNull(grad, e.getKey());
                    assertEquals(e.getValue().getShape(), grad.getShape(), e.getKey());
                    assertTrue(grad.abs().sum().getFloat() > 0, "no gradient reached " + e.getKey());
                }
                Engine.getInstance().setRandomSeed(11);
                first = model.forward(in[0], in[1], in[2], true).duplicate();
                first.attach(manager);
                Engine.getInstance().setRandomSeed(11);
                assertArrayEquals(first.toFloatArray(), model.forward(in[0], in[1], in[2], true).toFloatArray(), 0f,
                        "the same engine seed must draw the same dropout");
                Engine.getInstance().setRandomSeed(12);
                assertFalse(first.contentEquals(model.forward(in[0], in[1], in[2], true)));
                assertFalse(first.contentEquals(model.forward(in[0], in[1], in[2], false)), "no dropout at eval");

                // An in-place update of the live array changes what forward computes.
                before = model.forward(in[0], in[1], in[2], false);
                NDArray weight = model.namedParameters().get("classifier.weight");
                weight.subi(weight.getGradient().mul(10f));
                assertFalse(before.contentEquals(model.forward(in[0], in[1], in[2], false)));
            }
        }
    }

    @Test
    void forwardLeavesNothingInTheModelsManager() {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 5)) {
            int arrays = manager.getManagedArrays().size();
            try (NDManager step = manager.newSubManager()) {
                NDArray[] in = TinyBert.inputs(step, 2, 9, 1);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(model.forward(in[0], in[1], in[2], true).sum());
                }
                model.forward(in[0], in[1], in[2], false);
            }
            assertEquals(arrays, manager.getManagedArrays().size());
        }
    }
}
