package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.MixedPrecision;
import java.util.function.UnaryOperator;

/**
 * One DeBERTa-v2 layer as transformers' DebertaV2Layer: disentangled self-attention (content-to-content plus
 * content-to-position and position-to-content scores over the shared relative embeddings, all divided by
 * sqrt(head_size * (1 + number of position terms))), masked softmax, output projection with residual and
 * LayerNorm, then BERT's feed-forward block.
 */
final class DebertaV2Layer {
    private final DebertaV2Config config;
    private final Shape normalizedShape;
    /** sqrt(head_size * scale_factor) as torch forms it, in float32. */
    private final NDArray scoreScale;
    private final NDArray queryWeight;
    private final NDArray queryBias;
    private final NDArray keyWeight;
    private final NDArray keyBias;
    private final NDArray valueWeight;
    private final NDArray valueBias;
    /** The projections of the relative embeddings: query/key's own with share_att_key, else pos_query/key_proj. */
    private final NDArray posKeyWeight;
    private final NDArray posKeyBias;
    private final NDArray posQueryWeight;
    private final NDArray posQueryBias;
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

    DebertaV2Layer(DebertaV2Config config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        int heads = config.numAttentionHeads() * config.headSize();
        int intermediate = config.intermediateSize();
        normalizedShape = new Shape(hidden);
        int scaleFactor = 1 + (config.contentToPosition() ? 1 : 0) + (config.positionToContent() ? 1 : 0);
        scoreScale = params.constant((float) Math.sqrt((float) config.headSize() * scaleFactor));
        String self = prefix + "attention.self.";
        queryWeight = params.linearWeight(self + "query_proj.weight", heads, hidden);
        queryBias = params.bias(self + "query_proj.bias", heads);
        keyWeight = params.linearWeight(self + "key_proj.weight", heads, hidden);
        keyBias = params.bias(self + "key_proj.bias", heads);
        valueWeight = params.linearWeight(self + "value_proj.weight", heads, hidden);
        valueBias = params.bias(self + "value_proj.bias", heads);
        boolean ownPositionProjections = config.relativeAttention() && !config.shareAttKey();
        if (ownPositionProjections && config.contentToPosition()) {
            posKeyWeight = params.linearWeight(self + "pos_key_proj.weight", heads, hidden);
            posKeyBias = params.bias(self + "pos_key_proj.bias", heads);
        } else {
            posKeyWeight = keyWeight;
            posKeyBias = keyBias;
        }
        if (ownPositionProjections && config.positionToContent()) {
            posQueryWeight = params.linearWeight(self + "pos_query_proj.weight", heads, hidden);
            posQueryBias = params.bias(self + "pos_query_proj.bias", heads);
        } else {
            posQueryWeight = queryWeight;
            posQueryBias = queryBias;
        }
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
     * @param mask the attention context: the (B, 1, T, T) query-and-key mask, the key bias and the relative
     *     embedding rows
     * @param relEmbeddings (2 * span, hidden), normalised where norm_rel_ebd says so; null without relative attention
     */
    NDArray forward(NDArray hidden, AttentionContext mask, NDArray relEmbeddings, long batch, long length,
            boolean training, UnaryOperator<NDArray> w) {
        NDArray query = heads(Linear.linear(hidden, w.apply(queryWeight), w.apply(queryBias)).singletonOrThrow(), batch, length);
        NDArray key = heads(Linear.linear(hidden, w.apply(keyWeight), w.apply(keyBias)).singletonOrThrow(), batch, length);
        NDArray value = heads(Linear.linear(hidden, w.apply(valueWeight), w.apply(valueBias)).singletonOrThrow(), batch, length);
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2)).div(scoreScale);
        if (relEmbeddings != null) {
            NDArray rel = BertModel.dropout(relEmbeddings, config.hiddenDropoutProb(), training);
            scores = scores.add(disentangledBias(query, key, rel, mask, batch, length, w));
        }
        // XSoftmax: masked scores get no weight, and a query row that is all padding attends to nothing.
        NDArray probs = MixedPrecision.softmax(scores.add(mask.bias()), -1).mul(mask.mask());
        probs = BertModel.dropout(probs, config.attentionProbsDropoutProb(), training);
        NDArray context = probs.matMul(value).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());

        NDArray attended = Linear.linear(context, w.apply(attentionOutputWeight), w.apply(attentionOutputBias)).singletonOrThrow();
        attended = BertModel.dropout(attended, config.hiddenDropoutProb(), training);
        attended = layerNorm(attended.add(hidden), w.apply(attentionLayerNormWeight), w.apply(attentionLayerNormBias));

        NDArray inner = config.hiddenAct().apply(
                Linear.linear(attended, w.apply(intermediateWeight), w.apply(intermediateBias)).singletonOrThrow());
        NDArray out = Linear.linear(inner, w.apply(outputWeight), w.apply(outputBias)).singletonOrThrow();
        out = BertModel.dropout(out, config.hiddenDropoutProb(), training);
        return layerNorm(out.add(attended), w.apply(outputLayerNormWeight), w.apply(outputLayerNormBias));
    }

    /**
     * c2p: query i against the key projection of the embedding of r(i, j); p2c: key j against the query
     * projection of the embedding of r(j, i) (transformers' gather and transpose). Each divided by the scale.
     */
    private NDArray disentangledBias(NDArray query, NDArray key, NDArray rel, AttentionContext mask, long batch,
            long length, UnaryOperator<NDArray> w) {
        long rows = rel.getShape().get(0);
        Shape gathered = new Shape(batch, config.numAttentionHeads(), length, length);
        NDArray score = null;
        if (config.contentToPosition()) {
            NDArray posKey = relHeads(Linear.linear(rel, w.apply(posKeyWeight), w.apply(posKeyBias)).singletonOrThrow(), rows);
            NDArray c2p = query.matMul(posKey.transpose(0, 1, 3, 2)) // (B, heads, T, 2 span)
                    .gather(mask.c2pRows().broadcast(gathered), 3);
            score = c2p.div(scoreScale);
        }
        if (config.positionToContent()) {
            NDArray posQuery = relHeads(Linear.linear(rel, w.apply(posQueryWeight), w.apply(posQueryBias)).singletonOrThrow(), rows);
            NDArray p2c = key.matMul(posQuery.transpose(0, 1, 3, 2)) // (B, heads, T keys, 2 span)
                    .gather(mask.p2cRows().broadcast(gathered), 3)
                    .transpose(0, 1, 3, 2)
                    .div(scoreScale);
            score = score == null ? p2c : score.add(p2c);
        }
        return score;
    }

    /** (B*T, heads*d) -> (B, heads, T, d). */
    private NDArray heads(NDArray x, long batch, long length) {
        return x.reshape(batch, length, config.numAttentionHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    /** (2 span, heads*d) -> (1, heads, 2 span, d), broadcast over the batch. */
    private NDArray relHeads(NDArray x, long rows) {
        return x.reshape(1, rows, config.numAttentionHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return MixedPrecision.layerNorm(x, normalizedShape, weight, bias, config.layerNormEps());
    }

    /**
     * What every layer of one forward pass shares: the (B, 1, T, T) float mask (1 where query and key are both
     * tokens), the (B, 1, 1, T) additive bias that keeps padded keys out of the softmax, and the (1, 1, T, T) int64
     * rows of the relative embeddings for c2p and p2c (null without relative attention).
     */
    record AttentionContext(NDArray mask, NDArray bias, NDArray c2pRows, NDArray p2cRows) {}
}
