package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.train.GradScaler;
import dev.finetune.trainer.train.StopRequest;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingStopped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 in the loop (float16 compute, float32 masters, GradScaler): it trains as float32 does within float16's
 * precision, an overflow skips the update and halves the scale, and a resumed fp16 run ends exactly as a straight one,
 * loss scale and skipped updates included.
 */
class Fp16TrainingTest {
    /** Per logged loss / eval loss of the 12-step toy run: float16 compute moves them by ~1e-3 here. */
    private static final double LOSS_TOLERANCE = 0.01;

    @TempDir
    Path temp;

    private static TrainingSpec fp16() {
        TrainingSpec spec = ToyRun.spec();
        spec.fp16 = true;
        return spec;
    }

    @Test
    void fp16TrainsLikeFloat32WithinFloat16Precision() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        ToyRun.Result fp32 = ToyRun.run(temp.resolve("fp32"), tokenizer, ToyRun.spec(), null);
        ToyRun.Result half = ToyRun.run(temp.resolve("fp16"), tokenizer, fp16(), null);
        assertEquals(12, half.state().globalStep);
        assertEquals(12, half.optimizerSteps(), "no overflow at the default scale: every update ran");
        assertEquals(GradScaler.INIT_SCALE, half.lossScale());
        List<Double> a = values(fp32.state().logHistory, "loss", "eval_loss");
        List<Double> b = values(half.state().logHistory, "loss", "eval_loss");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), LOSS_TOLERANCE, "loss " + i + ": fp32 " + a + " fp16 " + b);
        }
        double maxWeightDiff = 0;
        for (Map.Entry<String, float[]> e : fp32.weights().entrySet()) {
            float[] x = e.getValue();
            float[] y = half.weights().get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                maxWeightDiff = Math.max(maxWeightDiff, Math.abs(x[i] - y[i]));
            }
        }
        // 12 AdamW steps of lr 2e-3 move a weight by at most ~0.024: fp16 must not move them elsewhere.
        assertTrue(maxWeightDiff < 5e-3, "max |w16 - w32| after 12 steps: " + maxWeightDiff);
    }

    @Test
    void anOverflowSkipsTheUpdateHalvesTheScaleAndAResumeMatchesTheStraightRun() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        // 2^24: the scaled loss's gradients pass float16's 65504 at once, so the first steps overflow and are skipped.
        double initScale = Math.pow(2, 24);
        ToyRun.Result straight = ToyRun.run(temp.resolve("straight"), tokenizer, fp16(), null, new StopRequest(),
                new GradScaler(initScale, 2.0, 0.5, 3));
        assertEquals(12, straight.state().globalStep);
        long skipped = 12 - straight.optimizerSteps();
        assertTrue(skipped >= 1 && skipped < 12, "updates skipped: " + skipped);
        assertTrue(straight.lossScale() < initScale, "the scale was halved: " + straight.lossScale());
        assertTrue(straight.weights().values().stream().allMatch(w -> {
            for (float v : w) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
            return true;
        }), "no inf or NaN reached the weights");

        // Stopped after step 5 (its checkpoint written), resumed in a new Trainer: the scale, its growth tracker and
        // AdamW's own step count come back from the checkpoint.
        Path output = temp.resolve("stopped");
        StopRequest stop = new StopRequest();
        TrainerCallback stopAt5 = new TrainerCallback() {
            @Override
            public void onStepEnd(TrainerState state) {
                if (state.globalStep == 5) {
                    stop.request();
                }
            }
        };
        assertThrows(TrainingStopped.class, () -> ToyRun.run(output, tokenizer, fp16(), stopAt5, stop,
                new GradScaler(initScale, 2.0, 0.5, 3)));
        ToyRun.Result resumed = ToyRun.run(output, tokenizer, fp16(), null, new StopRequest(),
                new GradScaler(initScale, 2.0, 0.5, 3));
        assertTrue(resumed.resumed());
        assertEquals(straight.optimizerSteps(), resumed.optimizerSteps());
        assertEquals(straight.lossScale(), resumed.lossScale());
        for (Map.Entry<String, float[]> e : straight.weights().entrySet()) {
            float[] x = e.getValue();
            float[] y = resumed.weights().get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                assertTrue(Math.abs(x[i] - y[i]) <= 1e-6, e.getKey() + "[" + i + "]: " + x[i] + " vs " + y[i]);
            }
        }
        assertEquals(ResumeExactnessTest.losses(straight.state().logHistory),
                ResumeExactnessTest.losses(resumed.state().logHistory));
    }

    private static List<Double> values(List<Map<String, Object>> history, String... keys) {
        List<Double> out = new java.util.ArrayList<>();
        for (Map<String, Object> entry : history) {
            for (String key : keys) {
                if (entry.containsKey(key)) {
                    out.add(((Number) entry.get(key)).doubleValue());
                }
            }
        }
        return out;
    }
}
