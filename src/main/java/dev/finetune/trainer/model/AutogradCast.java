package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A dtype cast that autograd sees through, as torch's {@code x.to(dtype)} is: the backward pass casts the
 * gradient back. DJL 0.36's {@code toType} (and {@code JniUtils.to}) detach their result, so mixed precision
 * cannot be built on them. torch's cumprod with a {@code dtype} argument casts its input first, and a cumulative
 * product along an axis of length 1 is the identity: the cast with its gradient, in one kernel.
 */
public final class AutogradCast {
    private AutogradCast() {}

    /** {@code x} as {@code type}, inside the graph; {@code x} itself when it has that type already. */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        NDArray column = x.expandDims(-1);
        return JniUtils.cumProd((PtNDArray) column, -1, type).squeeze(-1);
    }
}
