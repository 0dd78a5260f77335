package dev.finetune.trainer.model.albert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.FamilyFixtureChecks;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ALBERT against transformers on shared/fixtures/hf-oracle/albert (3 layers sharing one layer's weights), where only
 * this family can be asked: the base model class alone and its pooler, the shared layers, the config. The heads, losses
 * and training are ModelFamiliesOracleTest's.
 */
class AlbertOracleTest {
    @TempDir
    Path tmp;

    private static final String CASE = "albert";

    @Test
    void theBaseModelAloneGivesTransformersHiddenStatesAndPoolerOutput() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                AlbertModel model = AlbertModel.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            var output = model.forward(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), output.lastHiddenState().getShape());
            c.assertWithin("last_hidden_state", output.lastHiddenState().toFloatArray());
            NDArray pooled = output.pooled();
            assertEquals(c.expectedShape("pooler_output"), pooled.getShape());
            double error = HfOracleCase.maxAbsDiff(pooled.toFloatArray(), c.expected("pooler_output"));
            System.out.printf("hf-oracle albert pooler_output: max abs error %.3e%n", error);
            assertTrue(error <= c.tolerance("pooler_output"), "pooler_output: max abs error " + error);
        }
    }

    @Test
    void theSharedLayerIsOneSetOfWeightsForEveryLayer() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                AlbertForSequenceClassification model = AlbertForSequenceClassification.fromPretrained(c.dir(), 2, null,
                        manager, 1)) {
            assertEquals(3, model.config().numHiddenLayers());
            List<String> layerNames = model.namedParameters().keySet().stream()
                    .filter(n -> n.contains("albert_layer_groups")).toList();
            assertEquals(16, layerNames.size(), layerNames::toString);
            assertTrue(layerNames.stream().allMatch(n -> n.startsWith("albert.encoder.albert_layer_groups.0.albert_layers.0.")));
        }
    }

    @Test
    void layerGroupsAreConsecutiveLayersAsTransformersAssignsThem() {
        AlbertConfig config = AlbertConfig.parse("{\"num_hidden_layers\": 6, \"num_hidden_groups\": 3,"
                + " \"hidden_size\": 32, \"num_attention_heads\": 2}", "a");
        int[] groups = new int[6];
        for (int i = 0; i < 6; i++) {
            groups[i] = config.groupOfLayer(i);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, groups);
        AlbertConfig uneven = AlbertConfig.parse("{\"num_hidden_layers\": 5, \"num_hidden_groups\": 2,"
                + " \"hidden_size\": 32, \"num_attention_heads\": 2}", "a");
        // int(i / 2.5): 0, 0, 0, 1, 1
        assertEquals(0, uneven.groupOfLayer(2));
        assertEquals(1, uneven.groupOfLayer(3));
    }

    @Test
    void twoGroupsOfTwoInnerLayersSaveEachWeightOnceAndReloadIdentically() throws IOException {
        AlbertConfig config = AlbertConfig.parse("{\"vocab_size\": 30, \"embedding_size\": 8, \"hidden_size\": 16,"
                + " \"num_hidden_layers\": 4, \"num_hidden_groups\": 2, \"inner_group_num\": 2,"
                + " \"num_attention_heads\": 2, \"intermediate_size\": 24, \"max_position_embeddings\": 12}", "a")
                .withLabels(2, null);
        try (NDManager manager = NDManager.newBaseManager();
                AlbertForSequenceClassification model = AlbertForSequenceClassification.fromConfig(config, manager, 5)) {
            // 2 groups x 2 layers x 16 tensors, not num_hidden_layers x inner_group_num copies.
            assertEquals(64, model.namedParameters().keySet().stream().filter(n -> n.contains("albert_layers")).count());
            assertTrue(model.namedParameters().containsKey(
                    "albert.encoder.albert_layer_groups.1.albert_layers.1.ffn_output.weight"));
            NDArray ids = manager.create(new long[] {2, 7, 8, 9, 3, 0, 2, 11, 12, 13, 14, 3}, new ai.djl.ndarray.types.Shape(2, 6));
            NDArray mask = ids.neq(0).toType(ai.djl.ndarray.types.DataType.INT64, false);
            float[] before = model.forward(ids, null, mask, false).toFloatArray();
            model.savePretrained(tmp.resolve("saved"));
            try (AlbertForSequenceClassification reloaded = AlbertForSequenceClassification.fromPretrained(
                    tmp.resolve("saved"), 2, null, manager, 9)) {
                assertEquals(List.of(), reloaded.loadReport().newlyInitialized());
                assertEquals(List.of(), reloaded.loadReport().unused());
                org.junit.jupiter.api.Assertions.assertArrayEquals(before,
                        reloaded.forward(ids, null, mask, false).toFloatArray());
            }
        }
    }

    @Test
    void weightsWithoutTheAlbertPrefixLoadAsFromPretrainedAccepts() throws Exception {
        HfOracleCase c = HfOracleCase.load(CASE);
        FamilyFixtureChecks.assertLoadsWithoutBaseModelPrefix(c.dir(), AlbertModel.BASE_MODEL_PREFIX, tmp);
    }

    @Test
    void fp16ThroughMixedPrecisionStaysNearFloat32() throws Exception {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = FamilyFixtureChecks.load(c.dir(), manager)) {
            FamilyFixtureChecks.assertFloat16NearFloat32(model, c.inputIds(manager), c.tokenTypeIds(manager),
                    c.attentionMask(manager), 0.02, name -> name.endsWith("attention.key.bias"));
        }
    }

    @Test
    void configDefaultsAndRefusals() {
        EncoderConfig config = ModelFamilies.parseConfig("{\"model_type\": \"albert\"}", "a");
        assertInstanceOf(AlbertConfig.class, config);
        AlbertConfig albert = (AlbertConfig) config;
        assertEquals(128, albert.embeddingSize());
        assertEquals("gelu_new", albert.hiddenAct().configName());
        assertEquals(0f, albert.hiddenDropoutProb());
        assertEquals(0.1f, albert.classifierDropoutProb());
        assertEquals(128, config.architecture().get("embedding_size"));
        assertEquals("a: num_hidden_groups 3 is more than num_hidden_layers 2", assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.parseConfig("{\"model_type\": \"albert\", \"num_hidden_layers\": 2,"
                        + " \"num_hidden_groups\": 3}", "a")).getMessage());
        assertEquals("a: position_embedding_type \"relative_key\" is not supported (only \"absolute\")",
                assertThrows(IllegalArgumentException.class, () -> ModelFamilies.parseConfig(
                        "{\"model_type\": \"albert\", \"position_embedding_type\": \"relative_key\"}", "a")).getMessage());
    }
}
