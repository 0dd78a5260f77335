package dev.finetune.trainer.model.distilbert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * DistilBERT against transformers on shared/fixtures/hf-oracle/distilbert, where only this family can be asked: the
 * base model class alone, no token types, fp16, its config names. The heads, losses and training are
 * ModelFamiliesOracleTest's.
 */
class DistilBertOracleTest {
    @TempDir
    Path tmp;

    private static final String CASE = "distilbert";

    @Test
    void theBaseModelAloneLoadsTheEncoderAndGivesTransformersHiddenStates() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                DistilBertModel model = DistilBertModel.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            NDArray hidden = model.forward(c.inputIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            c.assertWithin("last_hidden_state", hidden.toFloatArray());
        }
    }

    @Test
    void weightsWithoutTheDistilbertPrefixLoadAsFromPretrainedAccepts() throws Exception {
        HfOracleCase c = HfOracleCase.load(CASE);
        FamilyFixtureChecks.assertLoadsWithoutBaseModelPrefix(c.dir(), DistilBertModel.BASE_MODEL_PREFIX, tmp);
    }

    @Test
    void tokenTypesAreIgnored() throws Exception {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = FamilyFixtureChecks.load(c.dir(), manager)) {
            assertNull(c.tokenTypeIds(manager), "the fixture passes none");
            NDArray ids = c.inputIds(manager);
            NDArray mask = c.attentionMask(manager);
            assertEquals(0.0, HfOracleCase.maxAbsDiff(model.forward(ids, ids.onesLike(), mask, false).toFloatArray(),
                    toDoubles(model.forward(ids, null, mask, false).toFloatArray())));
        }
    }

    @Test
    void fp16ThroughMixedPrecisionStaysNearFloat32() throws Exception {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = FamilyFixtureChecks.load(c.dir(), manager)) {
            FamilyFixtureChecks.assertFloat16NearFloat32(model, c.inputIds(manager), null, c.attentionMask(manager), 0.02,
                    name -> name.endsWith("k_lin.bias"));
        }
    }

    @Test
    void itsOwnConfigNamesAndTheGenericAliases() {
        EncoderConfig config = ModelFamilies.parseConfig("{\"model_type\": \"distilbert\", \"dim\": 64, \"n_heads\": 4,"
                + " \"n_layers\": 3, \"hidden_dim\": 100, \"max_position_embeddings\": 80}", "d");
        assertInstanceOf(DistilBertConfig.class, config);
        assertEquals(64, config.hiddenSize());
        assertEquals(80, config.maxInputLength());
        assertEquals(3, config.architecture().get("n_layers"));
        assertEquals(100, config.architecture().get("hidden_dim"));
        // transformers' attribute_map: hidden_size, num_hidden_layers, num_attention_heads set dim, n_layers, n_heads.
        DistilBertConfig aliased = (DistilBertConfig) ModelFamilies.parseConfig("{\"model_type\": \"distilbert\","
                + " \"dim\": 64, \"hidden_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 2}", "d");
        assertEquals(32, aliased.hiddenSize());
        assertEquals(2, aliased.numLayers());
        assertEquals(2, aliased.numHeads());
        assertEquals("d: dim 30 is not a multiple of n_heads 4", assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.parseConfig("{\"model_type\": \"distilbert\", \"dim\": 30, \"n_heads\": 4}", "d"))
                .getMessage());
        assertEquals("d: sinusoidal_pos_embds true is not supported (learned position embeddings only)",
                assertThrows(IllegalArgumentException.class, () -> ModelFamilies.parseConfig(
                        "{\"model_type\": \"distilbert\", \"sinusoidal_pos_embds\": true}", "d")).getMessage());
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
