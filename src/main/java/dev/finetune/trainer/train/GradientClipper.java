package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * torch.nn.utils.clip_grad_norm_: one L2 norm over all gradients together; when it exceeds the maximum,
 * every gradient is scaled by max / (norm + 1e-6). The Trainer logs the norm before clipping as grad_norm.
 */
public final class GradientClipper {
    private GradientClipper() {}

    /** sqrt of the sum of squares of every element of every gradient (each tensor's norm in float32, as torch). */
    public static double globalNorm(Collection<NDArray> gradients) {
        double sumOfSquares = 0;
        for (NDArray g : gradients) {
            try (NDArray norm = g.norm()) {
                double n = norm.getFloat();
                sumOfSquares += n * n;
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /** The factor clip_grad_norm_ multiplies by: min(1, max / (norm + 1e-6)); 1 when maxNorm <= 0 (off). */
    public static double scale(double norm, double maxNorm) {
        if (maxNorm <= 0) {
            return 1.0;
        }
        return Math.min(1.0, maxNorm / (norm + 1e-6));
    }

    /** Clips in place and returns the norm before clipping. */
    public static double clip(Collection<NDArray> gradients, double maxNorm) {
        double norm = globalNorm(gradients);
        double factor = scale(norm, maxNorm);
        if (factor < 1.0) {
            for (NDArray g : gradients) {
                g.muli((float) factor);
            }
        }
        return norm;
    }
}
