package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.LinearLayer;
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
    private final LinearLayer query;
    private final LinearLayer key;
    private final LinearLayer value;
    private final LinearLayer attentionOutput;
    private final NDArray attentionLayerNormWeight;
    private final NDArray attentionLayerNormBias;
    private final LinearLayer intermediateDense;
    private final LinearLayer outputDense;
    private final NDArray outputLayerNormWeight;
    private final NDArray outputLayerNormBias;

    MPNetLayer(MPNetConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        normalizedShape = new Shape(hidden);
        scoreScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        String attn = prefix + "attention.attn.";
        query = LinearLayer.create(params, attn + "q.", hidden, hidden);
        key = LinearLayer.create(params, attn + "k.", hidden, hidden);
        value = LinearLayer.create(params, attn + "v.", hidden, hidden);
        attentionOutput = LinearLayer.create(params, attn + "o.", hidden, hidden);
        attentionLayerNormWeight = params.layerNormWeight(prefix + "attention.LayerNorm.weight", hidden);
        attentionLayerNormBias = params.layerNormBias(prefix + "attention.LayerNorm.bias", hidden);
        intermediateDense = LinearLayer.create(params, prefix + "intermediate.dense.", intermediate, hidden);
        outputDense = LinearLayer.create(params, prefix + "output.dense.", hidden, intermediate);
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
        NDArray q = heads(query.forward(hidden, w), batch, length);
        NDArray k = heads(key.forward(hidden, w), batch, length);
        NDArray v = heads(value.forward(hidden, w), batch, length);
        // The scale is an array made with the model, not mul(float): see BertLayer.
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scoreScale).add(positionBias).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionProbsDropoutProb(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());
        NDArray attended = attentionOutput.forward(context, w);
        attended = BertModel.dropout(attended, config.hiddenDropoutProb(), training);
        attended = layerNorm(attended.add(hidden), w.apply(attentionLayerNormWeight), w.apply(attentionLayerNormBias));

        NDArray inner = config.hiddenAct().apply(intermediateDense.forward(attended, w));
        NDArray out = outputDense.forward(inner, w);
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
