package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.finetune.api.TrainingSpec;
import org.junit.jupiter.api.Test;

class TrainingStepsTest {
    private static final int MRPC_BATCHES = (3668 + 7) / 8; // 459: the last batch holds 4 rows

    @Test
    void mrpcTutorialIs1377Steps() {
        TrainingSteps steps = TrainingSteps.of(new TrainingSpec(), MRPC_BATCHES);
        assertEquals(459, steps.updatesPerEpoch());
        assertEquals(1377, steps.maxSteps());
        assertEquals(3, steps.numEpochs());
    }

    @Test
    void accumulationRoundsTheLastWindowUp() {
        TrainingSpec spec = new TrainingSpec();
        spec.gradientAccumulationSteps = 4;
        TrainingSteps steps = TrainingSteps.of(spec, MRPC_BATCHES);
        assertEquals(115, steps.updatesPerEpoch()); // ceil(459 / 4)
        assertEquals(345, steps.maxSteps());
        assertEquals(4, steps.batchesInUpdate(0));
        assertEquals(3, steps.batchesInUpdate(114)); // 459 - 456
        assertEquals(114, steps.updateOf(458));
    }

    @Test
    void maxStepsOverridesEpochs() {
        TrainingSpec spec = new TrainingSpec();
        spec.maxSteps = 1000;
        TrainingSteps steps = TrainingSteps.of(spec, MRPC_BATCHES);
        assertEquals(1000, steps.maxSteps());
        assertEquals(3, steps.numEpochs()); // ceil(1000 / 459)
        spec.maxSteps = 100;
        assertEquals(1, TrainingSteps.of(spec, MRPC_BATCHES).numEpochs());
    }

    @Test
    void fractionalEpochs() {
        TrainingSpec spec = new TrainingSpec();
        spec.numTrainEpochs = 2.5;
        TrainingSteps steps = TrainingSteps.of(spec, MRPC_BATCHES);
        assertEquals(1148, steps.maxSteps()); // ceil(1147.5)
        assertEquals(3, steps.numEpochs());
    }
}
