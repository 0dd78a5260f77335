package dev.finetune.trainer.model.mpnet;

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

/** MPNet against transformers on shared/fixtures/hf-oracle/mpnet. */
class MPNetOracleTest extends HfOracleFamilyTest {
    @Override
    protected String caseName() {
        return "mpnet";
    }

    @Override
    protected NDArray lastHiddenState(Path dir, NDManager manager, NDArray ids, NDArray types, NDArray mask)
            throws IOException {
        MPNetModel model = MPNetModel.fromPretrained(dir, manager, 1);
        assertEquals(List.of(), model.loadReport().newlyInitialized());
        return model.forward(ids, mask, false);
    }

    @Override
    protected Head sequenceClassifier(Path dir, int numLabels, NDManager manager) throws IOException {
        MPNetForSequenceClassification model = MPNetForSequenceClassification.fromPretrained(dir, numLabels, null, manager, 1);
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
        MPNetForTokenClassification model = MPNetForTokenClassification.fromPretrained(dir, numLabels, null, manager, 1);
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
                MPNetModel model = MPNetModel.fromPretrained(c.dir(), manager, 1)) {
            NDArray positions = model.positionIds(c.inputIds(manager));
            assertEquals(c.expectedShape("position_ids"), positions.getShape());
            assertArrayEquals(c.expectedLongs("position_ids"), positions.toLongArray());
        }
    }

    @Test
    void relativePositionBucketsAsTransformers() {
        // relative_position_bucket(j - i): exact below 8, then log-spaced up to 128, keys before the query from 16.
        assertEquals(0, MPNetModel.relativePositionBucket(0));
        assertEquals(16 + 7, MPNetModel.relativePositionBucket(7));
        assertEquals(7, MPNetModel.relativePositionBucket(-7));
        assertEquals(8, MPNetModel.relativePositionBucket(-8));
        assertEquals(8 + (int) (Math.log(20 / 8.0) / Math.log(16) * 8), MPNetModel.relativePositionBucket(-20));
        assertEquals(15, MPNetModel.relativePositionBucket(-1000));
        assertEquals(31, MPNetModel.relativePositionBucket(1000));
    }
}
