package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.function.UnaryOperator;

/**
 * One transformer encoder layer as transformers' BertLayer (post-LayerNorm): self-attention, its output projection
 * with residual and LayerNorm, then the feed-forward block with residual and LayerNorm.
 */
public final class BertLayer {
    /** What a layer is built from: the config.json fields of BERT and of the families that reuse its layer. */
    public record Sizes(int hiddenSize, int numAttentionHeads, int intermediateSize, HiddenActivation hiddenAct,
            float hiddenDropoutProb, float attentionProbsDropoutProb, float layerNormEps) {
        int headSize() {
            return hiddenSize / numAttentionHeads;
        }
    }

    private final Sizes config;
    private final Shape normalizedShape;
    private final NDArray scoreScale;
    private final NDArray queryWeight;
    private final NDArray queryBias;
    private final NDArray keyWeight;
    private final NDArray keyBias;
    private final NDArray valueWeight;
    private final NDArray valueBias;
    private final NDArray attentionOutputWeight;
    private final NDArray attentionOutputBias;
    private final NDArray attentionLayerNormWeight;
    private final NDArray attentionLayerNormBias;
    private final NDArray intermediateWeight;
    private final NDArray intermediateBias;
    private final NDArray outputWeight;
    private final NDArray outputBias;
    private final NDArray outputLayerNormWeight;
    private final NDArray outputLayerNormBias;

    public BertLayer(Sizes config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        normalizedShape = new Shape(hidden);
        scoreScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        String self = prefix + "attention.self.";
        queryWeight = params.linearWeight(self + "query.weight", hidden, hidden);
        queryBias = params.bias(self + "query.bias", hidden);
        keyWeight = params.linearWeight(self + "key.weight", hidden, hidden);
        keyBias = params.bias(self + "key.bias", hidden);
        valueWeight = params.linearWeight(self + "value.weight", hidden, hidden);
        valueBias = params.bias(self + "value.bias", hidden);
        String attentionOutput = prefix + "attention.output.";
        attentionOutputWeight = params.linearWeight(attentionOutput + "dense.weight", hidden, hidden);
        attentionOutputBias = params.bias(attentionOutput + "dense.bias", hidden);
        attentionLayerNormWeight = params.layerNormWeight(attentionOutput + "LayerNorm.weight", hidden);
        attentionLayerNormBias = params.layerNormBias(attentionOutput + "LayerNorm.bias", hidden);
        intermediateWeight = params.linearWeight(prefix + "intermediate.dense.weight", intermediate, hidden);
        intermediateBias = params.bias(prefix + "intermediate.dense.bias", intermediate);
        outputWeight = params.linearWeight(prefix + "output.dense.weight", hidden, intermediate);
        outputBias = params.bias(prefix + "output.dense.bias", hidden);
        outputLayerNormWeight = params.layerNormWeight(prefix + "output.LayerNorm.weight", hidden);
        outputLayerNormBias = params.layerNormBias(prefix + "output.LayerNorm.bias", hidden);
    }

    /**
     * @param hidden (B*T, hidden) rows, batch-major
     * @param attentionBias (B, 1, 1, T): 0 where attended, a large negative number at padding
     * @param w the array each parameter is computed with (itself, or its float16 copy)
     */
    public NDArray forward(NDArray hidden, NDArray attentionBias, long batch, long length, boolean training, UnaryOperator<NDArray> w) {
        NDArray query = heads(Linear.linear(hidden, w.apply(queryWeight), w.apply(queryBias)).singletonOrThrow(), batch, length);
        NDArray key = heads(Linear.linear(hidden, w.apply(keyWeight), w.apply(keyBias)).singletonOrThrow(), batch, length);
        NDArray value = heads(Linear.linear(hidden, w.apply(valueWeight), w.apply(valueBias)).singletonOrThrow(), batch, length);
        // Not mul(float): DJL closes that scalar right after the op, GC then frees its memory, and autograd reads it
        // in the backward pass (wrong or NaN gradients now and then). This one is made once, with the model.
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2)).mul(scoreScale).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionProbsDropoutProb(), training);
        NDArray context = probs.matMul(value) // (B, heads, T, d)
                .transpose(0, 2, 1, 3)
                .reshape(batch * length, config.hiddenSize());

        NDArray attended = Linear.linear(context, w.apply(attentionOutputWeight), w.apply(attentionOutputBias)).singletonOrThrow();
        attended = BertModel.dropout(attended, config.hiddenDropoutProb(), training);
        attended = layerNorm(attended.add(hidden), w.apply(attentionLayerNormWeight), w.apply(attentionLayerNormBias));

        NDArray inner = config.hiddenAct().apply(
                Linear.linear(attended, w.apply(intermediateWeight), w.apply(intermediateBias)).singletonOrThrow());
        NDArray out = Linear.linear(inner, w.apply(outputWeight), w.apply(outputBias)).singletonOrThrow();
        out = BertModel.dropout(out, config.hiddenDropoutProb(), training);
        return layerNorm(out.add(attended), w.apply(outputLayerNormWeight), w.apply(outputLayerNormBias));
    }

    /** (B*T, hidden) -> (B, heads, T, headSize). */
    private NDArray heads(NDArray x, long batch, long length) {
        return x.reshape(batch, length, config.numAttentionHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return MixedPrecision.layerNorm(x, normalizedShape, weight, bias, config.layerNormEps());
    }
}
