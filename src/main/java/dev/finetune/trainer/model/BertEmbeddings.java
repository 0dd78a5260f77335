package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.function.UnaryOperator;

/** Word + position + token-type embeddings, LayerNorm and dropout, as transformers' BertEmbeddings. */
final class BertEmbeddings {
    private final BertConfig config;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbeddings;
    private final NDArray layerNormWeight;
    private final NDArray layerNormBias;

    BertEmbeddings(BertConfig config, ParameterFactory params, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize();
        wordEmbeddings = params.embedding(prefix + "word_embeddings.weight", config.vocabSize(), hidden, config.padTokenId());
        positionEmbeddings = params.embedding(prefix + "position_embeddings.weight", config.maxPositionEmbeddings(), hidden, -1);
        tokenTypeEmbeddings = params.embedding(prefix + "token_type_embeddings.weight", config.typeVocabSize(), hidden, -1);
        layerNormWeight = params.layerNormWeight(prefix + "LayerNorm.weight", hidden);
        layerNormBias = params.layerNormBias(prefix + "LayerNorm.bias", hidden);
    }

    /** int64 (B, T) ids and token types; returns (B, T, hidden). Positions are 0..T-1, for any T up to the table. */
    NDArray forward(NDArray inputIds, NDArray tokenTypeIds, boolean training, UnaryOperator<NDArray> w) {
        int length = Math.toIntExact(inputIds.getShape().get(1));
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + length + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        // Created on the batch's manager: only the first operand's manager owns an op's result.
        NDArray positions = inputIds.getManager().arange(0, length, 1, DataType.INT64);
        NDArray x = lookup(inputIds, w.apply(wordEmbeddings))
                .add(lookup(positions, w.apply(positionEmbeddings))) // (T, H) broadcast over the batch
                .add(lookup(tokenTypeIds, w.apply(tokenTypeEmbeddings)));
        x = MixedPrecision.layerNorm(x, new Shape(config.hiddenSize()), w.apply(layerNormWeight), w.apply(layerNormBias),
                config.layerNormEps());
        return BertModel.dropout(x, config.hiddenDropoutProb(), training);
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
