package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.MixedPrecision;
import java.util.function.UnaryOperator;

/**
 * One MPNet layer as transformers' MPNetLayer: self-attention whose scores get the encoder's relative position
 * bias, its output projection {@code attn.o}, residual and LayerNorm, then BERT's feed-forward block.
 */
final class MPNetLayer {
    private final MPNetConfig config;
    private final Shape normalizedShape;
    private final NDArray scoreScale;
    private final NDArray qWeight;
    private final NDArray qBias;
    private final NDArray kWeight;
    private final NDArray kBias;
    private final NDArray vWeight;
    private final NDArray vBias;
    private final NDArray oWeight;
    private final NDArray oBias;
    private final NDArray attentionLayerNormWeight;
    private final NDArray attentionLayerNormBias;
    private final NDArray intermediateWeight;
    private final NDArray intermediateBias;
    private final NDArray outputWeight;
    private final NDArray outputBias;
    private final NDArray outputLayerNormWeight;
    private final NDArray outputLayerNormBias;

    MPNetLayer(MPNetConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        normalizedShape = new Shape(hidden);
        scoreScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        String attn = prefix + "attention.attn.";
        qWeight = params.linearWeight(attn + "q.weight", hidden, hidden);
        qBias = params.bias(attn + "q.bias", hidden);
        kWeight = params.linearWeight(attn + "k.weight", hidden, hidden);
        kBias = params.bias(attn + "k.bias", hidden);
        vWeight = params.linearWeight(attn + "v.weight", hidden, hidden);
        vBias = params.bias(attn + "v.bias", hidden);
        oWeight = params.linearWeight(attn + "o.weight", hidden, hidden);
        oBias = params.bias(attn + "o.bias", hidden);
        attentionLayerNormWeight = params.layerNormWeight(prefix + "attention.LayerNorm.weight", hidden);
        attentionLayerNormBias = params.layerNormBias(prefix + "attention.LayerNorm.bias", hidden);
        intermediateWeight = params.linearWeight(prefix + "intermediate.dense.weight", intermediate, hidden);
        intermediateBias = params.bias(prefix + "intermediate.dense.bias", intermediate);
        outputWeight = params.linearWeight(prefix + "output.dense.weight", hidden, intermediate);
        outputBias = params.bias(prefix + "output.dense.bias", hidden);
        outputLayerNormWeight = params.layerNormWeight(prefix + "output.LayerNorm.weight", hidden);
        outputLayerNormBias = params.layerNormBias(prefix + "output.LayerNorm.bias", hidden);
    }

    /**
     * @param hidden (B*T, hidden) rows, batch-major
     * @param positionBias (1, heads, T, T), the same for every layer
     * @param attentionBias (B, 1, 1, T): 0 where attended, a large negative number at padding
     */
    NDArray forward(NDArray hidden, NDArray positionBias, NDArray attentionBias, long batch, long length, boolean training,
            UnaryOperator<NDArray> w) {
        NDArray q = heads(Linear.linear(hidden, w.apply(qWeight), w.apply(qBias)).singletonOrThrow(), batch, length);
        NDArray k = heads(Linear.linear(hidden, w.apply(kWeight), w.apply(kBias)).singletonOrThrow(), batch, length);
        NDArray v = heads(Linear.linear(hidden, w.apply(vWeight), w.apply(vBias)).singletonOrThrow(), batch, length);
        // The scale is an array made with the model, not mul(float): see BertLayer.
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scoreScale).add(positionBias).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionProbsDropoutProb(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());
        NDArray attended = Linear.linear(context, w.apply(oWeight), w.apply(oBias)).singletonOrThrow();
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
