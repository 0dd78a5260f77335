package dev.finetune.trainer.model.mpnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.HfOracleCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MPNet against transformers on shared/fixtures/hf-oracle/mpnet, where only this family can be asked: the base model
 * class alone, its position ids and relative position buckets. The heads, losses and training are
 * ModelFamiliesOracleTest's.
 */
class MPNetOracleTest {
    private static final String CASE = "mpnet";

    @Test
    void theBaseModelAloneGivesTransformersHiddenStatesAndPositionIdsFromThePaddingIndex() throws IOException {
        HfOracleCase c = HfOracleCase.load(CASE);
        try (NDManager manager = NDManager.newBaseManager();
                MPNetModel model = MPNetModel.fromPretrained(c.dir(), manager, 1)) {
            assertEquals(List.of(), model.loadReport().newlyInitialized());
            NDArray hidden = model.forward(c.inputIds(manager), c.attentionMask(manager), false);
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            c.assertWithin("last_hidden_state", hidden.toFloatArray());
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
