package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * fp16 compute with float32 master weights, the rules torch's autocast applies to these models: matmuls,
 * embeddings, GELU and dropout in float16 on float16 casts of the weights; LayerNorm and softmax computed in
 * float32 (their outputs cast back to the activations' dtype); the logits, and so the loss, in float32. The
 * casts are inside the graph ({@link AutogradCast}), so every gradient lands, as float32, on its master.
 */
public final class MixedPrecision {
    private MixedPrecision() {}

    /**
     * The weights of one forward pass: each float32 parameter cast to float16 on first use (one cast per
     * parameter per pass), except {@code float32Kept} (the LayerNorm parameters), which stay float32.
     */
    public static UnaryOperator<NDArray> float16Weights(Set<NDArray> float32Kept) {
        Map<NDArray, NDArray> casts = new IdentityHashMap<>();
        return parameter -> {
            if (parameter.getDataType() != DataType.FLOAT32 || float32Kept.contains(parameter)) {
                return parameter;
            }
            return casts.computeIfAbsent(parameter, p -> AutogradCast.to(p, DataType.FLOAT16));
        };
    }

    /** Whether a parameter named as in transformers belongs to a LayerNorm (kept float32 under fp16). */
    public static boolean isLayerNorm(String parameterName) {
        return parameterName.contains("LayerNorm") || parameterName.contains("layer_norm");
    }

    /** Softmax over {@code axis} computed in float32, returned in {@code x}'s dtype. */
    public static NDArray softmax(NDArray x, int axis) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x.softmax(axis);
        }
        return AutogradCast.to(JniUtils.softmax((PtNDArray) x, axis, DataType.FLOAT32), x.getDataType());
    }

    /** LayerNorm over the last {@code normalizedShape} axes computed in float32, returned in {@code x}'s dtype. */
    public static NDArray layerNorm(NDArray x, Shape normalizedShape, NDArray weight, NDArray bias, float eps) {
        NDArray wide = AutogradCast.to(x, DataType.FLOAT32);
        NDArray normed = LayerNorm.layerNorm(wide, normalizedShape, AutogradCast.to(weight, DataType.FLOAT32),
                AutogradCast.to(bias, DataType.FLOAT32), eps).singletonOrThrow();
        return AutogradCast.to(normed, x.getDataType());
    }
}
