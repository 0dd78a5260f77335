package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.WeightLoadReport;
import dev.finetune.trainer.model.MixedPrecision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The DeBERTa-v2 encoder (the architecture of DeBERTa-v3) as transformers' DebertaV2Model: word embeddings (plus
 * absolute positions only with position_biased_input, token types only with type_vocab_size > 0, embed_proj where
 * embedding_size differs), LayerNorm, zeroed at padding; then layers of disentangled attention over relative
 * embeddings shared by all layers (LayerNorm-ed with norm_rel_ebd: layer_norm). Its output is
 * {@code last_hidden_state}; the ContextPooler belongs to the sequence-classification head.
 */
public final class DebertaV2Model implements AutoCloseable {
    public static final String BASE_MODEL_PREFIX = "deberta.";

    private final DebertaV2Config config;
    private final NDManager manager;
    private final Shape normalizedShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbeddings;
    private final NDArray embedProj;
    private final NDArray embeddingsLayerNormWeight;
    private final NDArray embeddingsLayerNormBias;
    private final List<DebertaV2Layer> layers = new ArrayList<>();
    private final NDArray relEmbeddings;
    private final NDArray relLayerNormWeight;
    private final NDArray relLayerNormBias;
    private final NDArray one;
    private final NDArray largestFloat;
    private final NDArray largestHalf;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    DebertaV2Model(DebertaV2Config config, NDManager manager, ParameterFactory params, String prefix) {
        this.config = config;
        this.manager = manager;
        int hidden = config.hiddenSize();
        int embedding = config.embeddingSize();
        normalizedShape = new Shape(hidden);
        String embeddings = prefix + "embeddings.";
        wordEmbeddings = params.embedding(embeddings + "word_embeddings.weight", config.vocabSize(), embedding,
                config.padTokenId());
        positionEmbeddings = config.positionBiasedInput()
                ? params.embedding(embeddings + "position_embeddings.weight", config.maxPositionEmbeddings(), embedding, -1)
                : null;
        tokenTypeEmbeddings = config.typeVocabSize() > 0
                ? params.embedding(embeddings + "token_type_embeddings.weight", config.typeVocabSize(), embedding, -1)
                : null;
        embedProj = embedding != hidden ? params.linearWeight(embeddings + "embed_proj.weight", hidden, embedding) : null;
        embeddingsLayerNormWeight = params.layerNormWeight(embeddings + "LayerNorm.weight", hidden);
        embeddingsLayerNormBias = params.layerNormBias(embeddings + "LayerNorm.bias", hidden);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new DebertaV2Layer(config, params, prefix + "encoder.layer." + i + "."));
        }
        relEmbeddings = config.relativeAttention()
                ? params.embedding(prefix + "encoder.rel_embeddings.weight", 2L * config.attentionSpan(), hidden, -1)
                : null;
        relLayerNormWeight = config.normRelEmbeddings() ? params.layerNormWeight(prefix + "encoder.LayerNorm.weight", hidden) : null;
        relLayerNormBias = config.normRelEmbeddings() ? params.layerNormBias(prefix + "encoder.LayerNorm.bias", hidden) : null;
        one = params.constant(1f);
        largestFloat = params.constant(Float.MAX_VALUE);
        largestHalf = params.constant(65504f);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder alone from a Hugging Face folder (names with or without "deberta."). */
    public static DebertaV2Model fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        DebertaV2Config config = DebertaV2Config.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                DebertaV2Model model = new DebertaV2Model(config, manager, params, "");
                model.loadReport = params.loadReport("DebertaV2Model");
                return model;
            });
        }
    }

    public DebertaV2Config config() {
        return config;
    }

    /**
     * @param inputIds int64 (B, T)
     * @param tokenTypeIds int64 (B, T), or null for zeros; ignored where type_vocab_size is 0
     * @param attentionMask (B, T) 1 for tokens, 0 for padding, or null for no padding
     * @return (B, T, hidden)
     */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** The same with each parameter replaced by {@code weights.apply(parameter)} (e.g. its float16 copy). */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be (batch, length), got " + inputIds.getShape());
        }
        requireShape("tokenTypeIds", tokenTypeIds, inputIds);
        requireShape("attentionMask", attentionMask, inputIds);
        long batch = inputIds.getShape().get(0);
        int length = Math.toIntExact(inputIds.getShape().get(1));
        NDManager batchManager = inputIds.getManager();
        NDArray mask = attentionMask != null ? attentionMask : inputIds.onesLike();

        NDArray x = lookup(inputIds, weights.apply(wordEmbeddings));
        if (positionEmbeddings != null) {
            if (length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("sequence length " + length + " exceeds max_position_embeddings "
                        + config.maxPositionEmbeddings());
            }
            x = x.add(lookup(batchManager.arange(0, length, 1, DataType.INT64), weights.apply(positionEmbeddings)));
        }
        if (tokenTypeEmbeddings != null) {
            x = x.add(lookup(tokenTypeIds != null ? tokenTypeIds : inputIds.zerosLike(), weights.apply(tokenTypeEmbeddings)));
        }
        if (embedProj != null) {
            x = Linear.linear(x, weights.apply(embedProj), null).singletonOrThrow();
        }
        x = MixedPrecision.layerNorm(x, normalizedShape, weights.apply(embeddingsLayerNormWeight),
                weights.apply(embeddingsLayerNormBias), config.layerNormEps());
        DataType dtype = x.getDataType();
        NDArray tokenMask = mask.toType(dtype, false);
        x = x.mul(tokenMask.reshape(batch, length, 1));
        NDArray hidden = BertModel.dropout(x, config.hiddenDropoutProb(), training).reshape(batch * length, config.hiddenSize());

        DebertaV2Layer.AttentionContext context = attentionContext(tokenMask, batchManager, batch, length, dtype);
        NDArray rel = relEmbeddings(weights);
        for (DebertaV2Layer layer : layers) {
            hidden = layer.forward(hidden, context, rel, batch, length, training, weights);
        }
        return hidden.reshape(batch, length, config.hiddenSize());
    }

    /** The (2 span, hidden) relative embeddings every layer reads, LayerNorm-ed with norm_rel_ebd: layer_norm. */
    private NDArray relEmbeddings(UnaryOperator<NDArray> weights) {
        if (relEmbeddings == null) {
            return null;
        }
        NDArray rel = weights.apply(relEmbeddings);
        if (relLayerNormWeight != null) {
            rel = MixedPrecision.layerNorm(rel, normalizedShape, weights.apply(relLayerNormWeight), weights.apply(relLayerNormBias),
                    config.layerNormEps());
        }
        return rel;
    }

    private DebertaV2Layer.AttentionContext attentionContext(NDArray tokenMask, NDManager batchManager, long batch,
            int length, DataType dtype) {
        // transformers' get_attention_mask: query i may attend key j when both are tokens.
        NDArray keyMask = tokenMask.reshape(batch, 1, 1, length);
        NDArray pairMask = keyMask.mul(tokenMask.reshape(batch, 1, length, 1));
        // The softmax bias masks keys only, so that no row is all masked (in float16, a row of scores at
        // -65504 can round to -inf and softmax to NaN); the pair mask then zeroes the rows of padded queries.
        NDArray largest = dtype == DataType.FLOAT16 ? largestHalf : largestFloat;
        NDArray bias = keyMask.sub(one).mul(largest);
        NDArray c2p = null;
        NDArray p2c = null;
        if (relEmbeddings != null) {
            Shape square = new Shape(1, 1, length, length);
            int span = config.attentionSpan();
            int buckets = config.positionBuckets();
            int maxPosition = config.maxRelativePositions();
            c2p = batchManager.create(RelativePositions.embeddingRows(length, buckets, maxPosition, span, false), square);
            p2c = batchManager.create(RelativePositions.embeddingRows(length, buckets, maxPosition, span, true), square);
        }
        return new DebertaV2Layer.AttentionContext(pairMask, bias, c2p, p2c);
    }

    private static void requireShape(String name, NDArray array, NDArray inputIds) {
        if (array != null && !array.getShape().equals(inputIds.getShape())) {
            throw new IllegalArgumentException(
                    name + " has shape " + array.getShape() + " but inputIds has " + inputIds.getShape());
        }
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Hugging Face names in checkpoint order -> the live parameter arrays. */
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    public WeightLoadReport loadReport() {
        return loadReport;
    }

    @Override
    public void close() {
        manager.close();
    }
}
