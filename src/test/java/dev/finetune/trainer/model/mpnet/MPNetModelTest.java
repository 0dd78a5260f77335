package dev.finetune.trainer.model.mpnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MPNet on a small random model: padding, long inputs, save/load of the token head, refused configs. */
class MPNetModelTest {
    @TempDir
    Path dir;

    private static MPNetConfig config(String extra) {
        return MPNetConfig.parse("{\"model_type\": \"mpnet\", \"vocab_size\": 50, \"hidden_size\": 16,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"intermediate_size\": 24,"
                + " \"max_position_embeddings\": 80, \"initializer_range\": 0.2" + extra + "}", "test config");
    }

    /** Row 0 full, row 1 with half its tokens and padding (id 1) after. */
    private static NDArray[] batch(NDManager manager, int length) {
        long[] ids = new long[2 * length];
        long[] mask = new long[2 * length];
        for (int i = 0; i < length; i++) {
            ids[i] = 2 + (i * 7) % 48;
            mask[i] = 1;
            ids[length + i] = i < length / 2 ? 2 + (i * 5) % 48 : MPNetModel.PADDING_IDX;
            mask[length + i] = i < length / 2 ? 1 : 0;
        }
        Shape shape = new Shape(2, length);
        return new NDArray[] {manager.create(ids, shape), manager.create(mask, shape)};
    }

    @Test
    void paddedRowGivesTheSameStatesAsAloneOnItsTokensAtLengthsBeyondTheExactBuckets() {
        try (NDManager manager = NDManager.newBaseManager();
                MPNetForTokenClassification model = MPNetForTokenClassification.fromConfig(config("").withLabels(3, null),
                        manager, 4)) {
            NDArray[] in = batch(manager, 70); // relative distances up to 69: the log-spaced buckets
            NDArray padded = model.forward(in[0], null, in[1], false).get(new NDIndex("1, :35"));
            NDArray alone = model.forward(in[0].get(new NDIndex("1:2, :35")), null, in[1].get(new NDIndex("1:2, :35")), false)
                    .get(new NDIndex("0"));
            assertTrue(padded.sub(alone).abs().max().getFloat() < 1e-5f);
            // The position ids of the padded row: 2.. on tokens, the padding index after.
            long[] positions = model.mpnet().positionIds(in[0]).get(new NDIndex("1")).toLongArray();
            assertEquals(2, positions[0]);
            assertEquals(36, positions[34]);
            assertEquals(MPNetModel.PADDING_IDX, positions[35]);
        }
    }

    @Test
    void tokenClassifierRoundTripsWithTransformersNames() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] in = batch(manager, 12);
            float[] before;
            try (MPNetForTokenClassification model = MPNetForTokenClassification.fromConfig(
                    config("").withLabels(3, List.of("O", "B-X", "I-X")), manager, 2)) {
                assertEquals(new Shape(32, 2), model.namedParameters().get("mpnet.encoder.relative_attention_bias.weight").getShape());
                assertEquals(new Shape(3, 16), model.namedParameters().get("classifier.weight").getShape());
                before = model.forward(in[0], null, in[1], false).toFloatArray();
                model.savePretrained(dir);
            }
            try (MPNetForTokenClassification loaded = MPNetForTokenClassification.fromPretrained(dir, 3, null, manager, 7)) {
                assertEquals(List.of(), loaded.loadReport().newlyInitialized());
                assertEquals(List.of(), loaded.loadReport().unused());
                assertArrayEquals(before, loaded.forward(in[0], null, in[1], false).toFloatArray(), 0f);
                assertEquals(List.of("O", "B-X", "I-X"), loaded.config().labels());
            }
            JsonNode written = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            assertEquals("MPNetForTokenClassification", written.get("architectures").get(0).asText());
            assertEquals("mpnet", written.get("model_type").asText());
            assertEquals("B-X", written.get("id2label").get("1").asText());
        }
    }

    @Test
    void tooFewBucketsAndTooLongInputsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(", \"relative_attention_num_buckets\": 16"));
        assertTrue(e.getMessage().contains("test config: relative_attention_num_buckets"), e.getMessage());
        try (NDManager manager = NDManager.newBaseManager();
                MPNetModel model = MPNetForSequenceClassification.fromConfig(config(""), manager, 1).mpnet()) {
            NDArray[] in = batch(manager, 79);
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(in[0], in[1], false));
            assertTrue(e.getMessage().contains("max_position_embeddings 80"), e.getMessage());
        }
    }
}
