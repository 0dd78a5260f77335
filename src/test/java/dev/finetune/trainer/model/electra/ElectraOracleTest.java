package dev.finetune.trainer.model.electra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.ModelFamilies;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ELECTRA against transformers on shared/fixtures/hf-oracle/electra (embedding_size 16, hidden_size 32), where only
 * this family can be asked: the base model class alone, the embeddings projection. The heads, losses and training are
 * ModelFamiliesOracleTest's.
 */
class ElectraOracleTest {
    private static final String CASE = "electra";

    @Test
    void theBaseModelAloneLoadsTheEncoderAndGivesTransformersHiddenStates() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                ElectraModel model = ElectraModel.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            NDArray hidden = model.forward(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            c.assertWithin("last_hidden_state", hidden.toFloatArray());
        }
    }

    @Test
    void equalEmbeddingAndHiddenSizesHaveNoProjection() {
        ElectraConfig config = (ElectraConfig) ModelFamilies.parseConfig("{\"model_type\": \"electra\", \"vocab_size\": 20,"
                + " \"embedding_size\": 8, \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                + " \"intermediate_size\": 16}", "electra config");
        try (NDManager manager = NDManager.newBaseManager();
                ElectraForSequenceClassification model = ElectraForSequenceClassification.fromConfig(config, manager, 1)) {
            assertFalse(model.namedParameters().keySet().stream().anyMatch(n -> n.contains("embeddings_project")),
                    model.namedParameters().keySet()::toString);
            assertTrue(model.namedParameters().containsKey("classifier.out_proj.weight"));
            NDArray ids = manager.create(new long[] {1, 5, 7, 2}).reshape(1, 4);
            assertEquals(new ai.djl.ndarray.types.Shape(1, 2), model.forward(ids, null, null, false).getShape());
        }
    }
}
