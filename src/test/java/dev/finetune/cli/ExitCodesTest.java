package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.trainer.train.TrainingDivergedException;
import org.junit.jupiter.api.Test;

class ExitCodesTest {
    @Test
    void aDivergedRunIsNotRetriedAndPrintsNoStackTrace() {
        TrainingDivergedException diverged = new TrainingDivergedException("loss became NaN at step 3; ...");
        assertEquals(ExitCodes.INVALID, ExitCodes.of(diverged));
        assertTrue(ExitCodes.isUserError(diverged));
    }
}
