package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The DistilBERT encoder as transformers' DistilBertModel: word and learned absolute position embeddings (no token
 * types), LayerNorm and dropout ({@code embeddings.*}), then {@code transformer.layer.N}. It has no pooler.
 */
public final class DistilBertModel implements AutoCloseable {
    public static final String BASE_MODEL_PREFIX = "distilbert.";

    private final DistilBertConfig config;
    private final NDManager manager;
    private final Shape normalizedShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray embeddingsLayerNormWeight;
    private final NDArray embeddingsLayerNormBias;
    private final List<DistilBertLayer> layers = new ArrayList<>();
    private final NDArray one;
    private final NDArray largestFloat;
    private final NDArray largestHalf;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    DistilBertModel(DistilBertConfig config, NDManager manager, ParameterFactory params, String prefix) {
        this.config = config;
        this.manager = manager;
        int dim = config.hiddenSize();
        normalizedShape = new Shape(dim);
        String embeddings = prefix + "embeddings.";
        wordEmbeddings = params.embedding(embeddings + "word_embeddings.weight", config.vocabSize(), dim,
                config.padTokenId());
        positionEmbeddings = params.embedding(embeddings + "position_embeddings.weight", config.maxPositionEmbeddings(),
                dim, -1);
        embeddingsLayerNormWeight = params.layerNormWeight(embeddings + "LayerNorm.weight", dim);
        embeddingsLayerNormBias = params.layerNormBias(embeddings + "LayerNorm.bias", dim);
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(new DistilBertLayer(config, params, prefix + "transformer.layer." + i + "."));
        }
        one = params.constant(1f);
        largestFloat = params.constant(Float.MAX_VALUE);
        largestHalf = params.constant(65504f);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder alone from a Hugging Face folder (names with or without "distilbert."). */
    public static DistilBertModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        DistilBertConfig config = DistilBertConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                DistilBertModel model = new DistilBertModel(config, manager, params, "");
                model.loadReport = params.loadReport("DistilBertModel");
                return model;
            });
        }
    }

    public DistilBertConfig config() {
        return config;
    }

    /** int64 (B, T) ids and (B, T) mask (1 token, 0 padding; null for none); returns (B, T, dim). */
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
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + length + " is beyond max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        NDArray positions = inputIds.getManager().arange(0, length, 1, DataType.INT64).expandDims(0);
        NDArray x = lookup(inputIds, weights.apply(wordEmbeddings)).add(lookup(positions, weights.apply(positionEmbeddings)));
        x = MixedPrecision.layerNorm(x, normalizedShape, weights.apply(embeddingsLayerNormWeight),
                weights.apply(embeddingsLayerNormBias), DistilBertConfig.LAYER_NORM_EPS);
        NDArray hidden = BertModel.dropout(x, config.dropout(), training).reshape(batch * length, config.hiddenSize());

        NDArray mask = attentionMask != null ? attentionMask : inputIds.onesLike();
        NDArray largest = hidden.getDataType() == DataType.FLOAT16 ? largestHalf : largestFloat;
        NDArray attentionBias = mask.toType(hidden.getDataType(), false).sub(one).mul(largest).reshape(batch, 1, 1, length);
        for (DistilBertLayer layer : layers) {
            hidden = layer.forward(hidden, attentionBias, batch, length, training, weights);
        }
        return hidden.reshape(batch, length, config.hiddenSize());
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
