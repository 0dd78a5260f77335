package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.function.UnaryOperator;

/**
 * Word + position + token-type embeddings, LayerNorm and dropout, as transformers' BertEmbeddings (and RoBERTa's and
 * ELECTRA's, which name their parameters alike and differ in the position ids they are given and their width).
 */
public final class BertEmbeddings {
    /**
     * What the embeddings are built from. {@code embeddingSize} is hidden_size for BERT and RoBERTa, ELECTRA's
     * embedding_size; {@code positionPaddingIdx} is the position row initialised to zero (RoBERTa's padding_idx), or -1.
     */
    public record Sizes(int vocabSize, int embeddingSize, int maxPositionEmbeddings, int typeVocabSize, int padTokenId,
            int positionPaddingIdx, float layerNormEps, float hiddenDropoutProb) {}

    private final Sizes config;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbeddings;
    private final NDArray layerNormWeight;
    private final NDArray layerNormBias;

    public BertEmbeddings(Sizes config, ParameterFactory params, String prefix) {
        this.config = config;
        int width = config.embeddingSize();
        wordEmbeddings = params.embedding(prefix + "word_embeddings.weight", config.vocabSize(), width, config.padTokenId());
        positionEmbeddings = params.embedding(prefix + "position_embeddings.weight", config.maxPositionEmbeddings(), width,
                config.positionPaddingIdx());
        tokenTypeEmbeddings = params.embedding(prefix + "token_type_embeddings.weight", config.typeVocabSize(), width, -1);
        layerNormWeight = params.layerNormWeight(prefix + "LayerNorm.weight", width);
        layerNormBias = params.layerNormBias(prefix + "LayerNorm.bias", width);
    }

    /**
     * int64 (B, T) ids and token types; returns (B, T, embeddingSize).
     *
     * @param positionIds int64 (B, T) position ids, or null for 0..T-1 (BERT's), for any T up to the table
     */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray positionIds, boolean training,
            UnaryOperator<NDArray> w) {
        NDArray positions = positionIds;
        if (positions == null) {
            int length = Math.toIntExact(inputIds.getShape().get(1));
            if (length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("sequence length " + length + " exceeds max_position_embeddings "
                        + config.maxPositionEmbeddings());
            }
            // Created on the batch's manager: only the first operand's manager owns an op's result.
            positions = inputIds.getManager().arange(0, length, 1, DataType.INT64); // (T, H) broadcast over the batch
        }
        NDArray x = lookup(inputIds, w.apply(wordEmbeddings))
                .add(lookup(positions, w.apply(positionEmbeddings)))
                .add(lookup(tokenTypeIds, w.apply(tokenTypeEmbeddings)));
        x = MixedPrecision.layerNorm(x, new Shape(config.embeddingSize()), w.apply(layerNormWeight), w.apply(layerNormBias),
                config.layerNormEps());
        return BertModel.dropout(x, config.hiddenDropoutProb(), training);
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
