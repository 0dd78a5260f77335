package dev.finetune.trainer.model.roberta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.HfOracleFamilyTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RoBERTa against transformers on shared/fixtures/hf-oracle/roberta (XlmRobertaOracleTest: the same on xlm-roberta). */
class RobertaOracleTest extends HfOracleFamilyTest {
    @Override
    protected String caseName() {
        return "roberta";
    }

    @Override
    protected NDArray lastHiddenState(Path dir, NDManager manager, NDArray ids, NDArray types, NDArray mask)
            throws IOException {
        RobertaModel model = RobertaModel.fromPretrained(dir, manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        return model.forward(ids, types, mask, false);
    }

    @Override
    protected Head sequenceClassifier(Path dir, int numLabels, NDManager manager) throws IOException {
        RobertaForSequenceClassification model = RobertaForSequenceClassification.fromPretrained(dir, numLabels, null,
                manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        assertEquals(List.of(), model.loadReport().unused());
        return new Head() {
            public NDArray forward(NDArray ids, NDArray types, NDArray mask, boolean training) {
                return model.forward(ids, types, mask, training);
            }

            public LinkedHashMap<String, NDArray> namedParameters() {
                return model.namedParameters();
            }

            public void savePretrained(Path out) throws IOException {
                model.savePretrained(out);
            }

            public void close() {
                model.close();
            }
        };
    }

    @Override
    protected Head tokenClassifier(Path dir, int numLabels, NDManager manager) throws IOException {
        RobertaForTokenClassification model = RobertaForTokenClassification.fromPretrained(dir, numLabels, null, manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        assertEquals(List.of(), model.loadReport().unused());
        return new Head() {
            public NDArray forward(NDArray ids, NDArray types, NDArray mask, boolean training) {
                return model.forward(ids, types, mask, training);
            }

            public LinkedHashMap<String, NDArray> namedParameters() {
                return model.namedParameters();
            }

            public void savePretrained(Path out) throws IOException {
                model.savePretrained(out);
            }

            public void close() {
                model.close();
            }
        };
    }

    @Test
    void positionIdsCountFromThePaddingIndexAsTransformers() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager();
                RobertaModel model = RobertaModel.fromPretrained(c.dir(), manager, 1)) {
            NDArray positions = model.positionIds(c.inputIds(manager));
            assertEquals(c.expectedShape("position_ids"), positions.getShape());
            assertArrayEquals(c.expectedLongs("position_ids"), positions.toLongArray());
        }
    }

    @Test
    void theModelTypeAndArchitectureAreWrittenBackAsRead() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        RobertaConfig config = RobertaConfig.read(c.dir().resolve("config.json"));
        assertEquals(caseName(), config.modelType());
        assertEquals(c.dir().getFileName().toString().equals("xlm-roberta") ? "XLMRobertaForSequenceClassification"
                : "RobertaForSequenceClassification", config.toJson().get("architectures").get(0).asText());
        assertEquals(config.maxPositionEmbeddings() - 2, config.maxInputLength(), "positions from padding_idx 1 + 1");
    }
}
