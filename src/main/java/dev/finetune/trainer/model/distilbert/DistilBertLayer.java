package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.LinearLayer;
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
    private final LinearLayer qLin;
    private final LinearLayer kLin;
    private final LinearLayer vLin;
    private final LinearLayer outLin;
    private final NDArray saLayerNormWeight;
    private final NDArray saLayerNormBias;
    private final LinearLayer lin1;
    private final LinearLayer lin2;
    private final NDArray outputLayerNormWeight;
    private final NDArray outputLayerNormBias;

    DistilBertLayer(DistilBertConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int dim = config.hiddenSize();
        int hiddenDim = config.hiddenDim();
        normalizedShape = new Shape(dim);
        queryScale = params.constant((float) (1.0 / Math.sqrt(config.headSize())));
        String attention = prefix + "attention.";
        qLin = LinearLayer.create(params, attention + "q_lin.", dim, dim);
        kLin = LinearLayer.create(params, attention + "k_lin.", dim, dim);
        vLin = LinearLayer.create(params, attention + "v_lin.", dim, dim);
        outLin = LinearLayer.create(params, attention + "out_lin.", dim, dim);
        saLayerNormWeight = params.layerNormWeight(prefix + "sa_layer_norm.weight", dim);
        saLayerNormBias = params.layerNormBias(prefix + "sa_layer_norm.bias", dim);
        lin1 = LinearLayer.create(params, prefix + "ffn.lin1.", hiddenDim, dim);
        lin2 = LinearLayer.create(params, prefix + "ffn.lin2.", dim, hiddenDim);
        outputLayerNormWeight = params.layerNormWeight(prefix + "output_layer_norm.weight", dim);
        outputLayerNormBias = params.layerNormBias(prefix + "output_layer_norm.bias", dim);
    }

    /**
     * @param x (B*T, dim) rows, batch-major
     * @param attentionBias (B, 1, 1, T): 0 where attended, the dtype's most negative number at padding (after
     *     softmax the same as transformers' masked_fill with finfo.min: those keys get weight 0)
     */
    NDArray forward(NDArray x, NDArray attentionBias, long batch, long length, boolean training, UnaryOperator<NDArray> w) {
        NDArray q = heads(qLin.forward(x, w), batch, length).mul(queryScale);
        NDArray k = heads(kLin.forward(x, w), batch, length);
        NDArray v = heads(vLin.forward(x, w), batch, length);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(attentionBias);
        NDArray probs = BertModel.dropout(MixedPrecision.softmax(scores, -1), config.attentionDropout(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch * length, config.hiddenSize());
        NDArray attended = outLin.forward(context, w);
        attended = layerNorm(attended.add(x), w.apply(saLayerNormWeight), w.apply(saLayerNormBias));

        NDArray inner = config.activation().apply(lin1.forward(attended, w));
        NDArray out = lin2.forward(inner, w);
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
