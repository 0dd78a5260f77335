package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.TrainingSpec;
import org.junit.jupiter.api.Test;

/** Expected values are transformers' schedule lambdas worked out by hand at chosen steps. */
class LearningRateScheduleTest {
    private static final double PEAK = 5e-5;

    private static LearningRateSchedule schedule(String type, int warmup, long total) {
        TrainingSpec spec = new TrainingSpec();
        spec.lrSchedulerType = type;
        spec.warmupSteps = warmup;
        return LearningRateSchedule.of(spec, total);
    }

    @Test
    void linearWithoutWarmupAsTheMrpcTutorial() {
        LearningRateSchedule s = schedule("linear", 0, 1377);
        assertEquals(PEAK, s.at(0), 0);
        assertEquals(PEAK * 1327 / 1377, s.at(50), 1e-20);
        assertEquals(PEAK / 1377, s.at(1376), 1e-20);
        assertEquals(0.0, s.at(1377), 0);
        assertEquals(0.0, s.at(2000), 0); // never negative
    }

    @Test
    void linearWithWarmup() {
        LearningRateSchedule s = schedule("linear", 100, 1000);
        assertEquals(0.0, s.at(0), 0);
        assertEquals(PEAK / 2, s.at(50), 1e-20);
        assertEquals(PEAK, s.at(100), 1e-20);
        assertEquals(PEAK / 2, s.at(550), 1e-20); // (1000-550)/(1000-100)
    }

    @Test
    void cosineWithWarmup() {
        LearningRateSchedule s = schedule("cosine", 10, 110);
        assertEquals(PEAK / 2, s.at(5), 1e-20);
        assertEquals(PEAK, s.at(10), 1e-20);
        assertEquals(PEAK * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), 1e-18); // progress 1/4
        assertEquals(PEAK / 2, s.at(60), 1e-18); // half-way: cos(pi/2) = 0
        assertEquals(0.0, s.at(110), 1e-20);
    }

    @Test
    void constantIgnoresWarmupAndConstantWithWarmupRamps() {
        LearningRateSchedule constant = schedule("constant", 4, 100);
        assertEquals(PEAK, constant.at(0), 0);
        assertEquals(PEAK, constant.at(99), 0);
        LearningRateSchedule ramp = schedule("constant_with_warmup", 4, 100);
        assertEquals(0.0, ramp.at(0), 0);
        assertEquals(PEAK / 4, ramp.at(1), 1e-20);
        assertEquals(PEAK, ramp.at(4), 0);
        assertEquals(PEAK, ramp.at(100), 0);
    }

    @Test
    void warmupRatioRoundsUpAndWarmupStepsWin() {
        TrainingSpec spec = new TrainingSpec();
        spec.warmupRatio = 0.1;
        assertEquals(138, LearningRateSchedule.warmupSteps(spec, 1377)); // ceil(137.7)
        spec.warmupSteps = 7;
        assertEquals(7, LearningRateSchedule.warmupSteps(spec, 1377));
    }

    @Test
    void unknownTypeNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schedule("polynomial", 0, 10));
        assertTrue(e.getMessage().contains("lrSchedulerType"), e.getMessage());
    }
}
