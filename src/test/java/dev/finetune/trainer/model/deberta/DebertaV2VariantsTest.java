package dev.finetune.trainer.model.deberta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DeBERTa-v2 options the fixture does not cover: they build the right parameters, run, and round-trip. */
class DebertaV2VariantsTest {
    @TempDir
    Path dir;

    private static DebertaV2Config config(String extra) {
        return DebertaV2Config.parse("{\"model_type\": \"deberta-v2\", \"vocab_size\": 50, \"hidden_size\": 16,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"intermediate_size\": 24,"
                + " \"max_position_embeddings\": 64, \"initializer_range\": 0.2" + extra + "}", "test config");
    }

    private static NDArray[] batch(NDManager manager, int length) {
        long[] ids = new long[2 * length];
        long[] mask = new long[2 * length];
        for (int i = 0; i < length; i++) {
            ids[i] = 1 + (i * 7) % 49;
            mask[i] = 1;
            ids[length + i] = i < length / 2 ? 1 + (i * 5) % 49 : 0;
            mask[length + i] = i < length / 2 ? 1 : 0;
        }
        Shape shape = new Shape(2, length);
        return new NDArray[] {manager.create(ids, shape), manager.zeros(shape, ai.djl.ndarray.types.DataType.INT64),
                manager.create(mask, shape)};
    }

    @Test
    void v3ConfigHasNoPositionTableAndSharesTheAttentionProjections() {
        try (NDManager manager = NDManager.newBaseManager();
                DebertaV2ForSequenceClassification model = DebertaV2ForSequenceClassification.fromConfig(config(
                        ", \"relative_attention\": true, \"position_buckets\": 8, \"pos_att_type\": \"p2c|c2p\","
                                + " \"share_att_key\": true, \"position_biased_input\": false, \"norm_rel_ebd\": \"layer_norm\""),
                        manager, 3)) {
            Set<String> names = model.namedParameters().keySet();
            assertTrue(names.contains("deberta.encoder.rel_embeddings.weight"));
            assertEquals(new Shape(16, 16), model.namedParameters().get("deberta.encoder.rel_embeddings.weight").getShape());
            assertTrue(names.contains("deberta.encoder.LayerNorm.weight"));
            assertFalse(names.stream().anyMatch(n -> n.contains("position_embeddings") || n.contains("pos_key_proj")
                    || n.contains("token_type")), names.toString());
            // A sequence longer than the 2 * 8 relative embeddings: distances beyond are clamped to the last one.
            NDArray[] in = batch(manager, 40);
            assertEquals(new Shape(2, 2), model.forward(in[0], in[1], in[2], false).getShape());
        }
    }

    @Test
    void ownPositionProjectionsAbsolutePositionsTokenTypesAndEmbedProjRoundTrip() throws IOException {
        DebertaV2Config config = config(", \"relative_attention\": true, \"max_relative_positions\": 12,"
                + " \"pos_att_type\": [\"c2p\", \"p2c\"], \"share_att_key\": false, \"position_biased_input\": true,"
                + " \"type_vocab_size\": 2, \"embedding_size\": 8");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] in = batch(manager, 20);
            float[] before;
            try (DebertaV2ForSequenceClassification model = DebertaV2ForSequenceClassification.fromConfig(config, manager, 5)) {
                Set<String> names = model.namedParameters().keySet();
                for (String name : List.of("deberta.embeddings.position_embeddings.weight",
                        "deberta.embeddings.token_type_embeddings.weight", "deberta.embeddings.embed_proj.weight",
                        "deberta.encoder.layer.1.attention.self.pos_key_proj.weight",
                        "deberta.encoder.layer.1.attention.self.pos_query_proj.bias")) {
                    assertTrue(names.contains(name), name + " in " + names);
                }
                assertFalse(names.contains("deberta.encoder.LayerNorm.weight"));
                assertEquals(new Shape(24, 16), model.namedParameters().get("deberta.encoder.rel_embeddings.weight").getShape());
                before = model.forward(in[0], in[1], in[2], false).toFloatArray();
                model.savePretrained(dir);
            }
            try (DebertaV2ForSequenceClassification loaded = DebertaV2ForSequenceClassification.fromPretrained(dir, 2, null, manager, 9)) {
                assertEquals(List.of(), loaded.loadReport().newlyInitialized());
                assertEquals(List.of(), loaded.loadReport().unused());
                assertArrayEquals(before, loaded.forward(in[0], in[1], in[2], false).toFloatArray(), 0f);
            }
        }
    }

    @Test
    void paddingChangesNothingOnTheRealTokens() {
        DebertaV2Config config = config(", \"relative_attention\": true, \"position_buckets\": 8,"
                + " \"pos_att_type\": [\"c2p\", \"p2c\"], \"share_att_key\": true, \"position_biased_input\": false,"
                + " \"norm_rel_ebd\": \"layer_norm\"");
        try (NDManager manager = NDManager.newBaseManager();
                DebertaV2ForTokenClassification model = DebertaV2ForTokenClassification.fromConfig(
                        config.withLabels(3, null), manager, 11)) {
            NDArray[] in = batch(manager, 30);
            NDArray padded = model.forward(in[0], in[1], in[2], false).get(new NDIndex("1, :15"));
            NDArray alone = model.forward(in[0].get(new NDIndex("1:2, :15")), in[1].get(new NDIndex("1:2, :15")),
                    in[2].get(new NDIndex("1:2, :15")), false).get(new NDIndex("0"));
            assertTrue(padded.sub(alone).abs().max().getFloat() < 1e-5f);
        }
    }

    @Test
    void unsupportedOptionsAreRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(", \"pos_att_type\": [\"p2p\"]"));
        assertTrue(e.getMessage().contains("test config: pos_att_type") && e.getMessage().contains("p2p"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(", \"conv_kernel_size\": 3"));
        assertTrue(e.getMessage().contains("conv_kernel_size"), e.getMessage());
    }

    @Test
    void logBucketsAsTransformers() {
        // bucket 16, max position 40: exact up to 8, then ceil(log(|r|/8) / log(39/8) * 7) + 8 with r's sign.
        assertEquals(8, RelativePositions.of(8, 0, 16, 40));
        assertEquals(-8, RelativePositions.of(0, 8, 16, 40));
        assertEquals(8 + (int) Math.ceil(Math.log(9 / 8.0) / Math.log(39 / 8.0) * 7), RelativePositions.of(9, 0, 16, 40));
        assertEquals(-15, RelativePositions.of(0, 39, 16, 40));
        assertEquals(-5, RelativePositions.of(0, 5, -1, 40));
    }
}
