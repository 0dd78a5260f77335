package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradScalerTest {
    @Test
    void startsAtTorchsDefaults() {
        GradScaler scaler = new GradScaler();
        assertEquals(65536.0, scaler.scale());
        assertEquals(1.0 / 65536, scaler.inverseScale());
    }

    @Test
    void anInfOrNanGradientSkipsTheStepAndHalvesTheScale() {
        GradScaler scaler = new GradScaler();
        assertFalse(scaler.update(Double.POSITIVE_INFINITY));
        assertEquals(32768.0, scaler.scale());
        assertFalse(scaler.update(Double.NaN));
        assertEquals(16384.0, scaler.scale());
        assertTrue(scaler.update(3.5));
        assertEquals(16384.0, scaler.scale());
    }

    @Test
    void growsAfterTwoThousandGoodStepsInARowAndABadStepResetsTheCount() {
        GradScaler scaler = new GradScaler();
        for (int i = 0; i < 1999; i++) {
            assertTrue(scaler.update(1.0));
        }
        assertEquals(65536.0, scaler.scale());
        assertFalse(scaler.update(Double.NaN)); // resets the run
        assertEquals(0, scaler.goodSteps());
        for (int i = 0; i < 1999; i++) {
            scaler.update(1.0);
        }
        assertEquals(32768.0, scaler.scale());
        scaler.update(1.0); // the 2000th good step in a row
        assertEquals(65536.0, scaler.scale());
        assertEquals(0, scaler.goodSteps());
    }

    @Test
    void loadRestoresTheScaleAndTrackerAndRejectsNonsense() {
        GradScaler scaler = new GradScaler(8.0, 2.0, 0.5, 3);
        scaler.load(1024.0, 2);
        scaler.update(1.0);
        assertEquals(2048.0, scaler.scale());
        assertThrows(IllegalArgumentException.class, () -> scaler.load(0.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1.0, 0.5, 0.5, 1));
    }
}
