package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' BertEncoder: {@code num_hidden_layers} {@link BertLayer}s under {@code <prefix>encoder.layer.N.},
 * and the additive attention mask they share. BERT, RoBERTa and ELECTRA name and compute it alike.
 */
public final class BertEncoder {
    private final List<BertLayer> layers = new ArrayList<>();
    /** 1 and the dtypes' largest values, for the attention bias: made once, not per forward pass. */
    private final NDArray one;
    private final NDArray largestFloat;
    private final NDArray largestHalf;

    /** {@code prefix} is the base model's ("bert.", "roberta.", "" alone); the layers go under "encoder.layer.N.". */
    public BertEncoder(BertLayer.Sizes sizes, int numHiddenLayers, ParameterFactory params, String prefix) {
        for (int i = 0; i < numHiddenLayers; i++) {
            layers.add(new BertLayer(sizes, params, prefix + "encoder.layer." + i + "."));
        }
        one = params.constant(1f);
        largestFloat = params.constant(Float.MAX_VALUE);
        largestHalf = params.constant(65504f);
    }

    /**
     * @param hidden (B*T, hidden) rows, batch-major, in the compute dtype
     * @param attentionMask (B, T) 1 for tokens, 0 for padding
     * @return (B*T, hidden)
     */
    public NDArray forward(NDArray hidden, NDArray attentionMask, long batch, long length, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray attentionBias = attentionBias(attentionMask, batch, length, hidden.getDataType());
        for (BertLayer layer : layers) {
            hidden = layer.forward(hidden, attentionBias, batch, length, training, weights);
        }
        return hidden;
    }

    /**
     * transformers' extended attention mask: (1 - mask) * finfo(dtype).min = (mask - 1) * finfo(dtype).max, shaped
     * (B, 1, 1, T), in the scores' dtype (a float32 bias would promote float16 scores to float32).
     */
    private NDArray attentionBias(NDArray mask, long batch, long length, DataType dtype) {
        NDArray largest = dtype == DataType.FLOAT16 ? largestHalf : largestFloat;
        return mask.toType(dtype, false).sub(one).mul(largest).reshape(batch, 1, 1, length);
    }
}
