package dev.finetune.trainer.model.electra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleFamilyTest;
import dev.finetune.trainer.model.ModelFamilies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ELECTRA against transformers on shared/fixtures/hf-oracle/electra (embedding_size 16, hidden_size 32). */
class ElectraOracleTest extends HfOracleFamilyTest {
    @Override
    protected String caseName() {
        return "electra";
    }

    @Override
    protected NDArray lastHiddenState(Path dir, NDManager manager, NDArray ids, NDArray types, NDArray mask)
            throws IOException {
        ElectraModel model = ElectraModel.fromPretrained(dir, manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        return model.forward(ids, types, mask, false);
    }

    @Override
    protected Head sequenceClassifier(Path dir, int numLabels, NDManager manager) throws IOException {
        ElectraForSequenceClassification model = ElectraForSequenceClassification.fromPretrained(dir, numLabels, null,
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
        ElectraForTokenClassification model = ElectraForTokenClassification.fromPretrained(dir, numLabels, null, manager, 1);
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
