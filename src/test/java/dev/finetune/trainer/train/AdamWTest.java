package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AdamWTest {
    private static final String[] NAMES = {"encoder.dense.weight", "encoder.dense.bias", "encoder.LayerNorm.weight"};
    private static final Shape[] SHAPES = {new Shape(3, 4), new Shape(4), new Shape(4)};

    @Test
    void groupsAsTheHuggingFaceTrainer() {
        assertTrue(AdamW.decays("bert.encoder.layer.0.attention.self.query.weight"));
        assertTrue(AdamW.decays("classifier.weight"));
        assertFalse(AdamW.decays("classifier.bias"));
        assertFalse(AdamW.decays("bert.embeddings.LayerNorm.weight"));
        assertFalse(AdamW.decays("bert.encoder.layer.3.output.LayerNorm.bias"));
        // The Trainer matches "bias" anywhere in the name: MPNet's relative attention table is not decayed.
        assertFalse(AdamW.decays("mpnet.encoder.relative_attention_bias.weight"));
    }

    /** torch.optim.AdamW written out in doubles, one parameter at a time. */
    private static final class Reference {
        final double[] p;
        final double[] m;
        final double[] v;
        int t;

        Reference(float[] init) {
            p = new double[init.length];
            for (int i = 0; i < init.length; i++) {
                p[i] = init[i];
            }
            m = new double[init.length];
            v = new double[init.length];
        }

        void step(float[] grad, double scale, double lr, double b1, double b2, double eps, double wd) {
            t++;
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] * scale;
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + eps;
                p[i] -= lr / bc1 * m[i] / denom;
            }
        }
    }

    @ParameterizedTest(name = "kernel {0}")
    @EnumSource(AdamW.Kernel.class)
    void matchesTorchAdamWOverSeveralSteps(AdamW.Kernel kernel) {
        boolean cpuKernel = kernel == AdamW.Kernel.CPU_ONE_PASS;
        double lr = 1e-2;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double wd = 0.1;
        Random random = new Random(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
            Map<String, Reference> refs = new LinkedHashMap<>();
            for (int k = 0; k < NAMES.length; k++) {
                float[] init = randomArray(random, (int) SHAPES[k].size());
                params.put(NAMES[k], manager.create(init, SHAPES[k]));
                refs.put(NAMES[k], new Reference(init));
            }
            try (AdamW adamw = new AdamW(params, b1, b2, eps, wd, kernel)) {
                assertEquals(kernel, adamw.kernel());
                for (int step = 1; step <= 6; step++) {
                    double scale = step == 3 ? 0.25 : 1.0; // a clipped step
                    double stepLr = lr * (1.0 - step / 10.0); // a decaying schedule
                    Map<String, NDArray> grads = new LinkedHashMap<>();
                    for (int k = 0; k < NAMES.length; k++) {
                        float[] g = randomArray(random, (int) SHAPES[k].size());
                        grads.put(NAMES[k], manager.create(g, SHAPES[k]));
                        refs.get(NAMES[k]).step(g, scale, stepLr, b1, b2, eps, AdamW.decays(NAMES[k]) ? wd : 0.0);
                    }
                    adamw.step(grads, stepLr, scale);
                }
                assertEquals(6, adamw.stepCount());
                for (String name : NAMES) {
                    float[] actual = params.get(name).toFloatArray();
                    double[] expected = refs.get(name).p;
                    float[] moment = adamw.state().get(name + ".exp_avg_sq").toFloatArray();
                    for (int i = 0; i < actual.length; i++) {
                        assertEquals(expected[i], actual[i], cpuKernel ? 5e-7 : 2e-6, name + "[" + i + "]");
                        assertEquals(refs.get(name).v[i], moment[i], 1e-6, name + ".exp_avg_sq[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void theDeviceChoosesTheKernel() {
        assertEquals(AdamW.Kernel.CPU_ONE_PASS, AdamW.Kernel.forDevice(ai.djl.Device.cpu()));
        assertEquals(AdamW.Kernel.FLAT, AdamW.Kernel.forDevice(ai.djl.Device.gpu(0)));
    }

    @ParameterizedTest(name = "kernel {0}")
    @EnumSource(AdamW.Kernel.class)
    void updatesLiveParametersInPlaceAndZeroesTheirAutogradGradients(AdamW.Kernel kernel) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1f, -2f, 3f, 0.5f}, new Shape(2, 2));
            w.setRequiresGradient(true);
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>(Map.of("w.weight", w));
            try (AdamW adamw = new AdamW(params, 0.9, 0.999, 1e-8, 0.0, kernel)) {
                for (int round = 0; round < 2; round++) {
                    try (NDManager step = manager.newSubManager()) {
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray x = step.create(new float[] {1f, 2f});
                            collector.backward(x.matMul(w).sum()); // d/dw = x per column: (1, 1; 2, 2)
                        }
                        NDArray gradient = w.getGradient();
                        gradient.attach(step);
                        assertEquals(2f, gradient.toFloatArray()[2], 0f, "gradients must not accumulate across steps");
                        adamw.step(Map.of("w.weight", gradient), 0.1, 1.0);
                        assertArrayEquals(new float[4], w.getGradient().toFloatArray(), 0f);
                    }
                }
            }
            // Two steps with a constant gradient: each moves every weight by lr (the bias-corrected m/sqrt(v) = 1).
            assertArrayEquals(new float[] {0.8f, -2.2f, 2.8f, 0.3f}, w.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void aStridedParameterIsStillUpdatedInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray strided = manager.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new Shape(2, 3)).transpose(); // (3, 2) view
            assertFalse(CpuAdamWKernel.aliases(strided));
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>(Map.of("t.weight", strided));
            try (AdamW adamw = new AdamW(params, 0.9, 0.999, 1e-8, 0.0)) {
                adamw.step(Map.of("t.weight", manager.ones(new Shape(3, 2))), 0.5, 1.0);
            }
            // First step: every element moves by lr against the gradient's sign (libtorch kernel: 1e-5 relative).
            assertArrayEquals(new float[] {0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f}, strided.toFloatArray(), 1e-5f);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            assertTrue(CpuAdamWKernel.aliases(manager.create(new float[] {1f, 2f})));
        }
    }

    @Test
    void biasCorrectionMakesTheFirstStepLrTimesSignOfGradient() {
        // With m = (1-b1) g and v = (1-b2) g^2, the corrected first step is lr * g / |g| (eps aside).
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
            params.put("w.bias", manager.create(new float[] {1f, 1f, 1f}));
            try (AdamW adamw = new AdamW(params, 0.9, 0.999, 1e-8, 0.5)) {
                adamw.step(Map.of("w.bias", manager.create(new float[] {3f, -0.002f, 40f})), 0.1, 1.0);
            }
            float[] p = params.get("w.bias").toFloatArray();
            assertEquals(0.9, p[0], 1e-6); // no decay on a bias: 1 - 0.1
            assertEquals(1.1, p[1], 1e-5);
            assertEquals(0.9, p[2], 1e-6);
        }
    }

    @ParameterizedTest(name = "kernel {0}")
    @EnumSource(AdamW.Kernel.class)
    void stateRoundTripContinuesIdentically(AdamW.Kernel kernel) {
        Random random = new Random(3);
        float[] init = randomArray(random, 12);
        float[][] grads = new float[4][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = randomArray(random, 12);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> straight = new LinkedHashMap<>(Map.of("a.weight", manager.create(init)));
            LinkedHashMap<String, NDArray> resumed = new LinkedHashMap<>(Map.of("a.weight", manager.create(init)));
            try (AdamW first = new AdamW(straight, 0.9, 0.999, 1e-8, 0.01, kernel)) {
                for (float[] g : grads) {
                    first.step(Map.of("a.weight", manager.create(g)), 1e-3, 1.0);
                }
            }
            try (AdamW before = new AdamW(resumed, 0.9, 0.999, 1e-8, 0.01, kernel)) {
                before.step(Map.of("a.weight", manager.create(grads[0])), 1e-3, 1.0);
                before.step(Map.of("a.weight", manager.create(grads[1])), 1e-3, 1.0);
                Map<String, NDArray> saved = new LinkedHashMap<>();
                before.state().forEach((k, v) -> saved.put(k, v.duplicate()));
                try (AdamW after = new AdamW(resumed, 0.9, 0.999, 1e-8, 0.01, kernel)) {
                    after.load(saved, before.stepCount());
                    after.step(Map.of("a.weight", manager.create(grads[2])), 1e-3, 1.0);
                    after.step(Map.of("a.weight", manager.create(grads[3])), 1e-3, 1.0);
                }
            }
            float[] a = straight.get("a.weight").toFloatArray();
            float[] b = resumed.get("a.weight").toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void loadRejectsMismatchedState() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> params = new LinkedHashMap<>(Map.of("a.weight", manager.zeros(new Shape(2, 2))));
            try (AdamW adamw = new AdamW(params, 0.9, 0.999, 1e-8, 0.0)) {
                Map<String, NDArray> wrongShape = Map.of(
                        "a.weight.exp_avg", manager.zeros(new Shape(4)),
                        "a.weight.exp_avg_sq", manager.zeros(new Shape(2, 2)));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adamw.load(wrongShape, 1));
                assertTrue(e.getMessage().contains("a.weight.exp_avg"), e.getMessage());
                IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                        () -> adamw.load(Map.of("a.weight.exp_avg", manager.zeros(new Shape(2, 2))), 1));
                assertTrue(missing.getMessage().contains("a.weight.exp_avg_sq"), missing.getMessage());
            }
        }
    }

    static float[] randomArray(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
