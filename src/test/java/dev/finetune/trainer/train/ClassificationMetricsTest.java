package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected values worked out by hand from the confusion matrices in the comments. */
class ClassificationMetricsTest {
    @Test
    void binary() {
        // tp 3, fn 1, fp 1, tn 1
        ClassificationMetrics m = new ClassificationMetrics(new int[] {1, 0, 1, 0, 1, 1}, new int[] {1, 1, 1, 0, 0, 1}, 2);
        assertEquals(4.0 / 6, m.accuracy(), 1e-12);
        assertEquals(0.75, m.f1(1), 1e-12); // 2*3 / (2*3 + 1 + 1)
        assertEquals(0.25, m.matthewsCorrelation(), 1e-12); // (3*1 - 1*1) / sqrt(4*4*2*2)
        Map<String, Double> map = m.asMap();
        assertTrue(map.containsKey("f1"));
        assertFalse(map.containsKey("macro_f1"));
    }

    @Test
    void noPositivePredictionsGiveZeroF1AndZeroMcc() {
        ClassificationMetrics m = new ClassificationMetrics(new int[] {0, 0, 0}, new int[] {1, 0, 0}, 2);
        assertEquals(0.0, m.f1(1), 0);
        assertEquals(0.0, m.matthewsCorrelation(), 0); // a constant prediction: MCC undefined -> 0
        assertEquals(2.0 / 3, m.accuracy(), 1e-12);
        ClassificationMetrics none = new ClassificationMetrics(new int[] {0, 0}, new int[] {0, 0}, 2);
        assertEquals(0.0, none.f1(1), 0); // no positives anywhere: 0/0 -> 0
        assertEquals(1.0, none.accuracy(), 0);
    }

    @Test
    void perfectAndInverted() {
        assertEquals(1.0, new ClassificationMetrics(new int[] {0, 1, 1}, new int[] {0, 1, 1}, 2).matthewsCorrelation(), 1e-12);
        assertEquals(-1.0, new ClassificationMetrics(new int[] {1, 0, 0}, new int[] {0, 1, 1}, 2).matthewsCorrelation(), 1e-12);
    }

    @Test
    void multiClass() {
        // gold 0 -> pred 0, 0; gold 1 -> pred 2, 0; gold 2 -> pred 1, 2
        ClassificationMetrics m = new ClassificationMetrics(new int[] {0, 2, 1, 0, 0, 2}, new int[] {0, 1, 2, 0, 1, 2}, 3);
        assertEquals(0.5, m.accuracy(), 1e-12);
        assertEquals(0.8, m.f1(0), 1e-12);
        assertEquals(0.0, m.f1(1), 1e-12);
        assertEquals(0.5, m.f1(2), 1e-12);
        assertEquals(1.3 / 3, m.macroF1(), 1e-12);
        // c=3, s=6, t=(2,2,2), p=(3,1,2): (18 - 12) / sqrt((36 - 14) * (36 - 12))
        assertEquals(6 / Math.sqrt(22 * 24), m.matthewsCorrelation(), 1e-12);
        Map<String, Double> map = m.asMap();
        assertTrue(map.containsKey("macro_f1"));
        assertFalse(map.containsKey("f1"));
    }

    @Test
    void labelOutOfRangeIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClassificationMetrics(new int[] {0, 2}, new int[] {0, 1}, 2));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }
}
