package dev.finetune.trainer.model.deberta;

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

/** DeBERTa-v2 (v3 architecture) against transformers on shared/fixtures/hf-oracle/deberta-v2. */
class DebertaV2OracleTest extends HfOracleFamilyTest {
    @Override
    protected String caseName() {
        return "deberta-v2";
    }

    @Override
    protected NDArray lastHiddenState(Path dir, NDManager manager, NDArray ids, NDArray types, NDArray mask)
            throws IOException {
        DebertaV2Model model = DebertaV2Model.fromPretrained(dir, manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        return model.forward(ids, types, mask, false);
    }

    @Override
    protected Head sequenceClassifier(Path dir, int numLabels, NDManager manager) throws IOException {
        DebertaV2ForSequenceClassification model = DebertaV2ForSequenceClassification.fromPretrained(dir, numLabels, null, manager, 1);
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
        DebertaV2ForTokenClassification model = DebertaV2ForTokenClassification.fromPretrained(dir, numLabels, null, manager, 1);
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
}
