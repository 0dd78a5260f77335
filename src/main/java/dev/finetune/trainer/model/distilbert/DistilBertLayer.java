package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.ParameterFactory;
import java.util.function.UnaryOperator;

/**
 * One DistilBERT TransformerBlock: self-attention ({@code q_lin}, {@code k_lin}, {@code v_lin}, {@code out_lin};
 * the query scaled before the product), residual and {@code sa_layer_norm}, then {@code ffn.lin1}, the activation,
 * {@code ffn.lin2}, dropout, residual and {@code output_layer_norm}. Unlike BERT, no dropout after out_lin.
 */
final class DistilBertLayer {
    private final DistilBertConfig config;
    private final Shape normalizedShape;
    private final NDArray queryScale;
    private final NDArray qWeight;
    private final NDArray qBias;
    private final NDArray kWeight;
    private final NDArray kBias;
    private final NDArray vWeight;
    private final NDArray vBias;
    private final NDArray outWeight;
    private final NDArray outBias;
    private final NDArray saLayerNormWeight;
    private final NDArray saLayerNormBias;
    private final NDArray lin1Weight;
    private final NDArray lin1Bias;
    private final NDArray lin2Weight;
    private final NDArray lin2Bias;
    private final NDArray outputLayerNormWeight;
    private final NDArray outputLayerNormBias;

    DistilBertLayer(DistilBertConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int dim = config.hiddenSize();
        int hiddenDim = config.hiddenDim();
        normalizedShape = new Shape(dim);
        queryScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        String attention = prefix + "attention.";
        qWeight = params.linearWeight(attention + "q_lin.weight", dim, dim);
        qBias = params.bias(attention + "q_lin.bias", dim);
        kWeight = params.linearWeight(attention + "k_lin.weight", dim, dim);
        kBias = params.bias(attention + "k_lin.bias", dim);
        vWeight = params.linearWeight(attention + "v_lin.weight", dim, dim);
        vBias = params.bias(attention + "v_lin.bias", dim);
        outWeight = params.linearWeight(attention + "out_lin.weight", dim, dim);
        outBias = params.bias(attention + "out_lin.bias", dim);
        saLayerNormWeight = params.layerNormWeight(prefix + "sa_layer_norm.weight", dim);
        saLayerNormBias = params.layerNormBias(prefix + "sa_layer_norm.bias", dim);
        lin1Weight = params.linearWeight(prefix + "ffn.lin1.weight", hiddenDim, dim);
        lin1Bias = params.bias(prefix + "ffn.lin1.bias", hiddenDim);
        lin2Weight = params.linearWeight(prefix + "ffn.lin2.weight", dim, hiddenDim);
        lin2Bias = params.bias(prefix + "ffn.lin2.bias", dim);
        outputLayerNormWeight = params.layerNormWeight(prefix + "output_layer_norm.weight", dim);
        outputLayerNormBias = params.layerNormBias(prefix + "output_layer_norm.bias", dim);
    }

    /**
     * @param x (B*T, dim) rows, batch-major
     * @param attentionBias (B, 1, 1, T): 0 where attended, the dtype's most negative number at padding (after
     *     softmax the same as transformers' masked_fill with finfo.min: those keys get weight 0)
     */
    NDArray forward(NDArray x, NDArray attentionBias, long batch, long length, boolean training, UnaryOperator<NDArray> w) {
        NDArray q = heads(Linear.linear(x, w.apply(qWeight), w.apply(qBias)).singletonOrThrow(), batch, length)
                .mul(queryScale);
        NDArray k = heads(Linear.linear(x, w.apply(kWeight), w.apply(kBias)).singletonOrThrow(), batch, length);
        NDArray v = heads(Linear.linear(x, w.apply(vWeight), w.apply(vBias)).singletonOrThrow(), batch, length);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionDropout(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());
        NDArray attended = Linear.linear(context, w.apply(outWeight), w.apply(outBias)).singletonOrThrow();
        attended = layerNorm(attended.add(x), w.apply(saLayerNormWeight), w.apply(saLayerNormBias));

        NDArray inner = config.activation().apply(
                Linear.linear(attended, w.apply(lin1Weight), w.apply(lin1Bias)).singletonOrThrow());
        NDArray out = Linear.linear(inner, w.apply(lin2Weight), w.apply(lin2Bias)).singletonOrThrow();
        out = BertModel.dropout(out, config.dropout(), training);
        return layerNorm(out.add(attended), w.apply(outputLayerNormWeight), w.apply(outputLayerNormBias));
    }

    /** (B*T, dim) -> (B, heads, T, headSize). */
    private NDArray heads(NDArray x, long batch, long length) {
        return x.reshape(batch, length, config.numHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return MixedPrecision.layerNorm(x, normalizedShape, weight, bias, DistilBertConfig.LAYER_NORM_EPS);
    }
}
