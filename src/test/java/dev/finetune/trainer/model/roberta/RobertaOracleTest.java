package dev.finetune.trainer.model.roberta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RoBERTa and XLM-RoBERTa (one architecture, two model types) against transformers on shared/fixtures/hf-oracle/roberta
 * and xlm-roberta, where only this family can be asked: the base model class alone and its position ids. The heads,
 * losses and training are ModelFamiliesOracleTest's.
 */
class RobertaOracleTest {
    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void theBaseModelAloneGivesTransformersHiddenStatesAndPositionIdsFromThePaddingIndex(String name) throws IOException {
        HfOracleCase c = HfOracleCase.load(name);
        try (NDManager manager = NDManager.newBaseManager();
                RobertaModel model = RobertaModel.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            NDArray hidden = model.forward(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            c.assertWithin("last_hidden_state", hidden.toFloatArray());
            NDArray positions = model.positionIds(c.inputIds(manager));
            assertEquals(c.expectedShape("position_ids"), positions.getShape());
            assertArrayEquals(c.expectedLongs("position_ids"), positions.toLongArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void theModelTypeAndArchitectureAreWrittenBackAsRead(String name) throws IOException {
        HfOracleCase c = HfOracleCase.load(name);
        RobertaConfig config = RobertaConfig.read(c.dir().resolve("config.json"));
        assertEquals(name, config.modelType());
        assertEquals(c.dir().getFileName().toString().equals("xlm-roberta") ? "XLMRobertaForSequenceClassification"
                : "RobertaForSequenceClassification", config.toJson().get("architectures").get(0).asText());
        assertEquals(config.maxPositionEmbeddings() - 2, config.maxInputLength(), "positions from padding_idx 1 + 1");
    }
}
