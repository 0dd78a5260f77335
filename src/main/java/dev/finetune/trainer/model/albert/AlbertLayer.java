package dev.finetune.trainer.model.albert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.ParameterFactory;
import java.util.function.UnaryOperator;

/**
 * One ALBERT layer as transformers' AlbertLayer: self-attention ({@code attention.query/key/value}, its output
 * {@code attention.dense}, dropout, residual and {@code attention.LayerNorm}), then {@code ffn}, the activation,
 * {@code ffn_output}, residual and {@code full_layer_layer_norm} (no dropout on the feed-forward output). Its
 * weights are shared by every application of its group.
 */
final class AlbertLayer {
    private final AlbertConfig config;
    private final Shape normalizedShape;
    private final NDArray scoreScale;
    private final NDArray queryWeight;
    private final NDArray queryBias;
    private final NDArray keyWeight;
    private final NDArray keyBias;
    private final NDArray valueWeight;
    private final NDArray valueBias;
    private final NDArray denseWeight;
    private final NDArray denseBias;
    private final NDArray attentionLayerNormWeight;
    private final NDArray attentionLayerNormBias;
    private final NDArray ffnWeight;
    private final NDArray ffnBias;
    private final NDArray ffnOutputWeight;
    private final NDArray ffnOutputBias;
    private final NDArray fullLayerNormWeight;
    private final NDArray fullLayerNormBias;

    AlbertLayer(AlbertConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        normalizedShape = new Shape(hidden);
        scoreScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        // save_pretrained's order (named_parameters): full_layer_layer_norm is registered first.
        fullLayerNormWeight = params.layerNormWeight(prefix + "full_layer_layer_norm.weight", hidden);
        fullLayerNormBias = params.layerNormBias(prefix + "full_layer_layer_norm.bias", hidden);
        String attention = prefix + "attention.";
        queryWeight = params.linearWeight(attention + "query.weight", hidden, hidden);
        queryBias = params.bias(attention + "query.bias", hidden);
        keyWeight = params.linearWeight(attention + "key.weight", hidden, hidden);
        keyBias = params.bias(attention + "key.bias", hidden);
        valueWeight = params.linearWeight(attention + "value.weight", hidden, hidden);
        valueBias = params.bias(attention + "value.bias", hidden);
        denseWeight = params.linearWeight(attention + "dense.weight", hidden, hidden);
        denseBias = params.bias(attention + "dense.bias", hidden);
        attentionLayerNormWeight = params.layerNormWeight(attention + "LayerNorm.weight", hidden);
        attentionLayerNormBias = params.layerNormBias(attention + "LayerNorm.bias", hidden);
        ffnWeight = params.linearWeight(prefix + "ffn.weight", intermediate, hidden);
        ffnBias = params.bias(prefix + "ffn.bias", intermediate);
        ffnOutputWeight = params.linearWeight(prefix + "ffn_output.weight", hidden, intermediate);
        ffnOutputBias = params.bias(prefix + "ffn_output.bias", hidden);
    }

    /**
     * @param x (B*T, hidden) rows, batch-major
     * @param attentionBias (B, 1, 1, T): 0 where attended, a large negative number at padding
     */
    NDArray forward(NDArray x, NDArray attentionBias, long batch, long length, boolean training, UnaryOperator<NDArray> w) {
        NDArray q = heads(Linear.linear(x, w.apply(queryWeight), w.apply(queryBias)).singletonOrThrow(), batch, length);
        NDArray k = heads(Linear.linear(x, w.apply(keyWeight), w.apply(keyBias)).singletonOrThrow(), batch, length);
        NDArray v = heads(Linear.linear(x, w.apply(valueWeight), w.apply(valueBias)).singletonOrThrow(), batch, length);
        // The scale is an array made with the model, not mul(float): see BertLayer.
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scoreScale).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionProbsDropoutProb(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());
        NDArray attended = Linear.linear(context, w.apply(denseWeight), w.apply(denseBias)).singletonOrThrow();
        attended = BertModel.dropout(attended, config.hiddenDropoutProb(), training);
        attended = layerNorm(x.add(attended), w.apply(attentionLayerNormWeight), w.apply(attentionLayerNormBias));

        NDArray inner = config.hiddenAct().apply(
                Linear.linear(attended, w.apply(ffnWeight), w.apply(ffnBias)).singletonOrThrow());
        NDArray out = Linear.linear(inner, w.apply(ffnOutputWeight), w.apply(ffnOutputBias)).singletonOrThrow();
        return layerNorm(out.add(attended), w.apply(fullLayerNormWeight), w.apply(fullLayerNormBias));
    }

    /** (B*T, hidden) -> (B, heads, T, headSize). */
    private NDArray heads(NDArray x, long batch, long length) {
        return x.reshape(batch, length, config.numAttentionHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return MixedPrecision.layerNorm(x, normalizedShape, weight, bias, config.layerNormEps());
    }
}
