package dev.finetune.trainer.model.albert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
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
 * The ALBERT encoder as transformers' AlbertModel: factorised embeddings (word, token type and absolute position
 * tables of embedding_size, LayerNorm), {@code encoder.embedding_hidden_mapping_in} up to hidden_size, then
 * num_hidden_layers applications of the shared layer groups ({@code encoder.albert_layer_groups.G.albert_layers.I},
 * one set of weights per group however often it is applied), and optionally the pooler (tanh(dense(h[:, 0]))).
 */
public final class AlbertModel implements AutoCloseable {
    public static final String BASE_MODEL_PREFIX = "albert.";

    /** The encoder's output: every position's hidden state, and the pooler's output (null without a pooler). */
    public record Output(NDArray lastHiddenState, NDArray pooled) {}

    private final AlbertConfig config;
    private final NDManager manager;
    private final Shape embeddingShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbeddings;
    private final NDArray embeddingsLayerNormWeight;
    private final NDArray embeddingsLayerNormBias;
    private final NDArray mappingWeight;
    private final NDArray mappingBias;
    /** groups.get(g) holds the inner_group_num layers of group g, applied in order. */
    private final List<List<AlbertLayer>> groups = new ArrayList<>();
    private final NDArray poolerWeight;
    private final NDArray poolerBias;
    private final NDArray one;
    private final NDArray largestFloat;
    private final NDArray largestHalf;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    AlbertModel(AlbertConfig config, NDManager manager, ParameterFactory params, String prefix, boolean withPooler) {
        this.config = config;
        this.manager = manager;
        int embedding = config.embeddingSize();
        int hidden = config.hiddenSize();
        embeddingShape = new Shape(embedding);
        String embeddings = prefix + "embeddings.";
        wordEmbeddings = params.embedding(embeddings + "word_embeddings.weight", config.vocabSize(), embedding,
                config.padTokenId());
        positionEmbeddings = params.embedding(embeddings + "position_embeddings.weight", config.maxPositionEmbeddings(),
                embedding, -1);
        tokenTypeEmbeddings = params.embedding(embeddings + "token_type_embeddings.weight", config.typeVocabSize(),
                embedding, -1);
        embeddingsLayerNormWeight = params.layerNormWeight(embeddings + "LayerNorm.weight", embedding);
        embeddingsLayerNormBias = params.layerNormBias(embeddings + "LayerNorm.bias", embedding);
        mappingWeight = params.linearWeight(prefix + "encoder.embedding_hidden_mapping_in.weight", hidden, embedding);
        mappingBias = params.bias(prefix + "encoder.embedding_hidden_mapping_in.bias", hidden);
        for (int g = 0; g < config.numHiddenGroups(); g++) {
            List<AlbertLayer> group = new ArrayList<>();
            for (int i = 0; i < config.innerGroupNum(); i++) {
                group.add(new AlbertLayer(config, params,
                        prefix + "encoder.albert_layer_groups." + g + ".albert_layers." + i + "."));
            }
            groups.add(group);
        }
        poolerWeight = withPooler ? params.linearWeight(prefix + "pooler.weight", hidden, hidden) : null;
        poolerBias = withPooler ? params.bias(prefix + "pooler.bias", hidden) : null;
        one = params.constant(1f);
        largestFloat = params.constant(Float.MAX_VALUE);
        largestHalf = params.constant(65504f);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder with its pooler alone from a Hugging Face folder (names with or without "albert."). */
    public static AlbertModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        AlbertConfig config = AlbertConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                AlbertModel model = new AlbertModel(config, manager, params, "", true);
                model.loadReport = params.loadReport("AlbertModel");
                return model;
            });
        }
    }

    public AlbertConfig config() {
        return config;
    }

    /**
     * @param inputIds int64 (B, T)
     * @param tokenTypeIds int64 (B, T), or null for all zeros
     * @param attentionMask (B, T) 1 for tokens, 0 for padding, or null for no padding
     */
    public Output forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** The same with each parameter replaced by {@code weights.apply(parameter)} (e.g. its float16 copy). */
    public Output forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be (batch, length), got " + inputIds.getShape());
        }
        requireShape("tokenTypeIds", tokenTypeIds, inputIds);
        requireShape("attentionMask", attentionMask, inputIds);
        long batch = inputIds.getShape().get(0);
        int length = Math.toIntExact(inputIds.getShape().get(1));
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + length + " is beyond max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        NDArray types = tokenTypeIds != null ? tokenTypeIds : inputIds.zerosLike();
        NDArray positions = inputIds.getManager().arange(0, length, 1, DataType.INT64).expandDims(0);
        // (word + token type) + position, the order transformers adds them in.
        NDArray x = lookup(inputIds, weights.apply(wordEmbeddings)).add(lookup(types, weights.apply(tokenTypeEmbeddings)))
                .add(lookup(positions, weights.apply(positionEmbeddings)));
        x = MixedPrecision.layerNorm(x, embeddingShape, weights.apply(embeddingsLayerNormWeight),
                weights.apply(embeddingsLayerNormBias), config.layerNormEps());
        x = BertModel.dropout(x, config.hiddenDropoutProb(), training).reshape(batch * length, config.embeddingSize());
        NDArray hidden = Linear.linear(x, weights.apply(mappingWeight), weights.apply(mappingBias)).singletonOrThrow();

        NDArray mask = attentionMask != null ? attentionMask : inputIds.onesLike();
        NDArray largest = hidden.getDataType() == DataType.FLOAT16 ? largestHalf : largestFloat;
        NDArray attentionBias = mask.toType(hidden.getDataType(), false).sub(one).mul(largest).reshape(batch, 1, 1, length);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            for (AlbertLayer layer : groups.get(config.groupOfLayer(i))) {
                hidden = layer.forward(hidden, attentionBias, batch, length, training, weights);
            }
        }
        NDArray lastHiddenState = hidden.reshape(batch, length, config.hiddenSize());
        NDArray pooled = null;
        if (poolerWeight != null) {
            NDArray first = lastHiddenState.get(new NDIndex(":, 0"));
            pooled = Linear.linear(first, weights.apply(poolerWeight), weights.apply(poolerBias)).singletonOrThrow().tanh();
        }
        return new Output(lastHiddenState, pooled);
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

    /** Hugging Face names in checkpoint order -> the live parameter arrays (each shared weight once). */
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
