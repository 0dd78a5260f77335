package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClipperTest {
    @Test
    void oneNormOverAllGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 4f});
            NDArray b = manager.create(new float[] {12f}, new Shape(1, 1, 1)); // any rank counts element-wise
            assertEquals(13.0, GradientClipper.globalNorm(List.of(a, b)), 1e-6);
        }
    }

    @Test
    void clipsByMaxOverNormPlusEpsilonOnlyAboveTheMaximum() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 4f});
            NDArray b = manager.create(new float[] {12f});
            double norm = GradientClipper.clip(List.of(a, b), 1.0);
            assertEquals(13.0, norm, 1e-6); // the norm before clipping, as grad_norm is logged
            double factor = 1.0 / (13.0 + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * factor), (float) (4 * factor)}, a.toFloatArray(), 1e-7f);
            assertEquals(1.0, GradientClipper.globalNorm(List.of(a, b)), 1e-6);

            NDArray c = manager.create(new float[] {0.3f, 0.4f});
            GradientClipper.clip(List.of(c), 1.0);
            assertArrayEquals(new float[] {0.3f, 0.4f}, c.toFloatArray(), 0f); // below the max: untouched
        }
        assertEquals(1.0, GradientClipper.scale(13.0, 0.0), 0); // maxGradNorm 0 turns clipping off
    }
}
