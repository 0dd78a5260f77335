package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings are what CPython 3 prints for the same values. */
class TrainerLogFormatTest {
    @Test
    void reprLikePython() {
        assertEquals("3.2e-05", TrainerLogFormat.repr(3.2e-05));
        assertEquals("5e-05", TrainerLogFormat.repr(5e-05));
        assertEquals("4.81844589687727e-05", TrainerLogFormat.repr(5e-5 * 1327 / 1377));
        assertEquals("0.0001", TrainerLogFormat.repr(1e-4));
        assertEquals("0.5577", TrainerLogFormat.repr(0.5577));
        assertEquals("1.0", TrainerLogFormat.repr(1.0));
        assertEquals("100.0", TrainerLogFormat.repr(100.0));
        assertEquals("0.30000000000000004", TrainerLogFormat.repr(0.1 + 0.2));
        assertEquals("1e+16", TrainerLogFormat.repr(1e16));
        assertEquals("1234567890123456.8", TrainerLogFormat.repr(1234567890123456.8));
        assertEquals("-2.5", TrainerLogFormat.repr(-2.5));
        assertEquals("3.2108964920043945", TrainerLogFormat.repr((double) 3.2108965f));
        assertEquals("nan", TrainerLogFormat.repr(Double.NaN));
    }

    @Test
    void roundLikePython() {
        assertEquals(0.5577, TrainerLogFormat.round(0.55774, 4), 0);
        assertEquals(0.6, TrainerLogFormat.round(0.60001, 4), 0);
        assertEquals(2.67, TrainerLogFormat.round(2.675, 2), 0); // 2.675 is 2.67499999... in binary
        assertEquals(1.09, TrainerLogFormat.round(1.0893246187363834, 2), 0);
    }

    @Test
    void trainerLines() {
        Map<String, Object> logs = new LinkedHashMap<>();
        logs.put("loss", TrainerLogFormat.round(0.557712, 4));
        logs.put("grad_norm", 3.21);
        logs.put("learning_rate", 3.2e-05);
        logs.put("epoch", 1.09);
        assertEquals("{'loss': 0.5577, 'grad_norm': 3.21, 'learning_rate': 3.2e-05, 'epoch': 1.09}",
                TrainerLogFormat.dict(logs));
        assertEquals("{'step': 50, 'name': 'x'}", TrainerLogFormat.dict(Map.of("step", 50)).replace("}", ", 'name': 'x'}"));
        assertEquals("3,668", TrainerLogFormat.count(3668));
        assertEquals("109,483,778", TrainerLogFormat.count(109483778));
    }
}
