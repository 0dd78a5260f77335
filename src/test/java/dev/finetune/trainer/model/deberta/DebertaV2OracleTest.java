package dev.finetune.trainer.model.deberta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DeBERTa-v2 (v3 architecture) against transformers on shared/fixtures/hf-oracle/deberta-v2, where only this family
 * can be asked: the base model class alone. The heads, losses and training are ModelFamiliesOracleTest's.
 */
class DebertaV2OracleTest {
    private static final String CASE = "deberta-v2";

    @Test
    void theBaseModelAloneLoadsTheEncoderAndGivesTransformersHiddenStates() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                DebertaV2Model model = DebertaV2Model.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            NDArray hidden = model.forward(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            c.assertWithin("last_hidden_state", hidden.toFloatArray());
        }
    }
}
