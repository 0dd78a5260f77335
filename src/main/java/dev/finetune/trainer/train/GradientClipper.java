package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Collection;

/**
 * torch.nn.utils.clip_grad_norm_: one L2 norm over all gradients together; when it exceeds the maximum,
 * every gradient is scaled by max / (norm + 1e-6). The Trainer logs the norm before clipping as grad_norm.
 */
public final class GradientClipper {
    private GradientClipper() {}

    /**
     * The global norm as a device scalar, without a sync: each tensor's norm, stacked, and the norm of
     * those (as clip_grad_norm_ computes it, in float32). Created in the first gradient's manager.
     */
    public static NDArray normOnDevice(Collection<NDArray> gradients) {
        NDList norms = new NDList(gradients.size());
        for (NDArray g : gradients) {
            norms.add(g.norm());
        }
        try (NDArray stacked = NDArrays.stack(norms)) {
            norms.close();
            return stacked.norm();
        }
    }

    /** sqrt of the sum of squares of every element of every gradient, read in one device-to-host copy. */
    public static double globalNorm(Collection<NDArray> gradients) {
        NDArray norm = normOnDevice(gradients);
        double value = DeviceSyncCounter.read(norm)[0];
        norm.close();
        return value;
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
