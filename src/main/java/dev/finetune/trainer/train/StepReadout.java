package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * What the host needs from the device after a step's backward passes (the step's loss and the gradient
 * norm), read in one device-to-host copy: the single sync of a training step.
 */
record StepReadout(double loss, double gradNorm) {
    /** {@code gradNorm} may be null (clipping off): the norm is then NaN, as the loop does not log it. */
    static StepReadout read(NDArray loss, NDArray gradNorm) {
        if (gradNorm == null) {
            return new StepReadout(DeviceSyncCounter.read(loss)[0], Double.NaN);
        }
        try (NDArray both = NDArrays.stack(new NDList(loss, gradNorm.toType(loss.getDataType(), false)))) {
            float[] values = DeviceSyncCounter.read(both);
            return new StepReadout(values[0], values[1]);
        }
    }
}
