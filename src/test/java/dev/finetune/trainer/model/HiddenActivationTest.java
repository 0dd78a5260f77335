package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class HiddenActivationTest {
    @Test
    void geluIsExactErfAndGeluNewIsTheTanhApproximation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] x = {-2f, -0.5f, 0f, 1f, 3f};
            // x * Phi(x) with the exact normal CDF, and transformers' NewGELU, computed by hand in double.
            float[] exact = {-0.04550026f, -0.15426877f, 0f, 0.84134475f, 2.99595031f};
            float[] tanh = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                tanh[i] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            }
            assertArrayEquals(exact, HiddenActivation.GELU.apply(manager.create(x)).toFloatArray(), 1e-6f);
            assertArrayEquals(tanh, HiddenActivation.GELU_NEW.apply(manager.create(x)).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0f, 0f, 0f, 1f, 3f}, HiddenActivation.RELU.apply(manager.create(x)).toFloatArray());
        }
    }
}
