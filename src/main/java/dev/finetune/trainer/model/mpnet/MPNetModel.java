package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
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
 * The MPNet encoder as transformers' MPNetModel without its pooler (no MPNet task head uses it): word and
 * position embeddings with RoBERTa's position ids (counted from the padding index, padding at the padding index),
 * no token types, and layers whose attention scores share one learned bias per head and relative-position bucket.
 */
public final class MPNetModel implements AutoCloseable {
    /** MPNetEmbeddings hard-codes its padding index to 1 (not the config's pad_token_id). */
    public static final int PADDING_IDX = 1;
    /** The buckets the encoder uses: relative_position_bucket's defaults, not the config's count. */
    static final int RELATIVE_BUCKETS = 32;
    private static final int MAX_DISTANCE = 128;
    public static final String BASE_MODEL_PREFIX = "mpnet.";

    private final MPNetConfig config;
    private final NDManager manager;
    private final Shape normalizedShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray embeddingsLayerNormWeight;
    private final NDArray embeddingsLayerNormBias;
    private final List<MPNetLayer> layers = new ArrayList<>();
    private final NDArray relativeAttentionBias;
    private final NDArray one;
    private final NDArray largestFloat;
    private final NDArray largestHalf;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    MPNetModel(MPNetConfig config, NDManager manager, ParameterFactory params, String prefix) {
        this.config = config;
        this.manager = manager;
        int hidden = config.hiddenSize();
        normalizedShape = new Shape(hidden);
        String embeddings = prefix + "embeddings.";
        wordEmbeddings = params.embedding(embeddings + "word_embeddings.weight", config.vocabSize(), hidden, PADDING_IDX);
        positionEmbeddings = params.embedding(embeddings + "position_embeddings.weight", config.maxPositionEmbeddings(),
                hidden, PADDING_IDX);
        embeddingsLayerNormWeight = params.layerNormWeight(embeddings + "LayerNorm.weight", hidden);
        embeddingsLayerNormBias = params.layerNormBias(embeddings + "LayerNorm.bias", hidden);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new MPNetLayer(config, params, prefix + "encoder.layer." + i + "."));
        }
        relativeAttentionBias = params.embedding(prefix + "encoder.relative_attention_bias.weight",
                config.relativeAttentionNumBuckets(), config.numAttentionHeads(), -1);
        one = params.constant(1f);
        largestFloat = params.constant(Float.MAX_VALUE);
        largestHalf = params.constant(65504f);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder alone from a Hugging Face folder (names with or without "mpnet."). */
    public static MPNetModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        MPNetConfig config = MPNetConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                MPNetModel model = new MPNetModel(config, manager, params, "");
                model.loadReport = params.loadReport("MPNetModel");
                return model;
            });
        }
    }

    public MPNetConfig config() {
        return config;
    }

    /** int64 (B, T) ids and (B, T) mask (1 token, 0 padding; null for none); returns (B, T, hidden). */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, attentionMask, training, UnaryOperator.identity());
    }

    /** The same with each parameter replaced by {@code weights.apply(parameter)} (e.g. its float16 copy). */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training, UnaryOperator<NDArray> weights) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be (batch, length), got " + inputIds.getShape());
        }
        if (attentionMask != null && !attentionMask.getShape().equals(inputIds.getShape())) {
            throw new IllegalArgumentException(
                    "attentionMask has shape " + attentionMask.getShape() + " but inputIds has " + inputIds.getShape());
        }
        long batch = inputIds.getShape().get(0);
        int length = Math.toIntExact(inputIds.getShape().get(1));
        NDArray positions = positionIds(inputIds);
        NDArray x = lookup(inputIds, weights.apply(wordEmbeddings)).add(lookup(positions, weights.apply(positionEmbeddings)));
        x = MixedPrecision.layerNorm(x, normalizedShape, weights.apply(embeddingsLayerNormWeight),
                weights.apply(embeddingsLayerNormBias), config.layerNormEps());
        NDArray hidden = BertModel.dropout(x, config.hiddenDropoutProb(), training).reshape(batch * length, config.hiddenSize());

        NDArray positionBias = positionBias(inputIds.getManager(), length, weights);
        NDArray mask = attentionMask != null ? attentionMask : inputIds.onesLike();
        NDArray largest = hidden.getDataType() == DataType.FLOAT16 ? largestHalf : largestFloat;
        NDArray attentionBias = mask.toType(hidden.getDataType(), false).sub(one).mul(largest).reshape(batch, 1, 1, length);
        for (MPNetLayer layer : layers) {
            hidden = layer.forward(hidden, positionBias, attentionBias, batch, length, training, weights);
        }
        return hidden.reshape(batch, length, config.hiddenSize());
    }

    /**
     * transformers' create_position_ids_from_input_ids: real tokens are numbered from PADDING_IDX + 1 in order,
     * padding gets PADDING_IDX. int64 (B, T).
     */
    public NDArray positionIds(NDArray inputIds) {
        int length = Math.toIntExact(inputIds.getShape().get(1));
        if (length + PADDING_IDX >= config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + length + " needs position ids up to "
                    + (length + PADDING_IDX) + ", beyond max_position_embeddings " + config.maxPositionEmbeddings());
        }
        NDArray notPadding = inputIds.neq(PADDING_IDX).toType(DataType.INT64, false);
        return notPadding.cumSum(1).mul(notPadding).add(PADDING_IDX);
    }

    /** The (1, heads, T, T) bias of query i for key j: the head's weight for the bucket of j - i. */
    private NDArray positionBias(NDManager batchManager, int length, UnaryOperator<NDArray> weights) {
        long[] buckets = new long[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                buckets[i * length + j] = relativePositionBucket(j - i);
            }
        }
        NDArray index = batchManager.create(buckets, new Shape(length, length));
        return lookup(index, weights.apply(relativeAttentionBias)) // (T, T, heads)
                .transpose(2, 0, 1)
                .expandDims(0);
    }

    /**
     * transformers' MPNetEncoder.relative_position_bucket(j - i, 32, 128): 16 buckets per direction (keys before the
     * query from 16), exact up to 7, then logarithmic up to 128, in float32 as torch computes it.
     */
    static int relativePositionBucket(int relativePosition) {
        int half = RELATIVE_BUCKETS / 2;
        int n = -relativePosition;
        int bucket = n < 0 ? half : 0;
        n = Math.abs(n);
        int maxExact = half / 2;
        if (n < maxExact) {
            return bucket + n;
        }
        float scaled = (float) Math.log((float) n / maxExact) / (float) Math.log((double) MAX_DISTANCE / maxExact);
        int large = maxExact + (int) (scaled * (half - maxExact));
        return bucket + Math.min(large, half - 1);
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
