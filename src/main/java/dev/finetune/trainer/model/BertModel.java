package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The BERT encoder as transformers' BertModel: embeddings, {@code num_hidden_layers} encoder layers and the pooler.
 * Parameters are named as transformers names them, under a prefix ("" alone, "bert." inside a task model).
 */
public final class BertModel implements AutoCloseable {
    private final BertConfig config;
    private final NDManager manager;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final NDArray poolerWeight;
    private final NDArray poolerBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    /** What a forward pass returns: (B, T, hidden) and the (B, hidden) tanh-pooled [CLS] vector (null without a pooler). */
    public record Output(NDArray lastHiddenState, NDArray pooledOutput) {}

    /** Builds the parameters through {@code params}, which owns creation; {@code manager} is closed with the model. */
    BertModel(BertConfig config, NDManager manager, ParameterFactory params, String prefix) {
        this(config, manager, params, prefix, true);
    }

    /** {@code addPoolingLayer} as transformers' BertModel argument: false for the token-classification model. */
    BertModel(BertConfig config, NDManager manager, ParameterFactory params, String prefix, boolean addPoolingLayer) {
        this.config = config;
        this.manager = manager;
        embeddings = new BertEmbeddings(config.embeddingSizes(), params, prefix + "embeddings.");
        encoder = new BertEncoder(config.layerSizes(), config.numHiddenLayers(), params, prefix);
        poolerWeight = addPoolingLayer
                ? params.linearWeight(prefix + "pooler.dense.weight", config.hiddenSize(), config.hiddenSize())
                : null;
        poolerBias = addPoolingLayer ? params.bias(prefix + "pooler.dense.bias", config.hiddenSize()) : null;
        parameters = new LinkedHashMap<>(params.parameters()); // a copy: a task model adds its head to the factory's
    }

    /** The encoder alone from a Hugging Face folder (names with or without "bert."); a missing pooler is initialised. */
    public static BertModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                BertModel model = new BertModel(config, manager, params, "");
                model.loadReport = params.loadReport("BertModel");
                return model;
            });
        }
    }

    public BertConfig config() {
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

    /**
     * The same with each parameter replaced by {@code weights.apply(parameter)} (e.g. its float16 copy): the
     * activations then take the dtype of the word embeddings that {@code weights} gives.
     */
    public Output forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be (batch, length), got " + inputIds.getShape());
        }
        long batch = inputIds.getShape().get(0);
        long length = inputIds.getShape().get(1);
        requireShape("tokenTypeIds", tokenTypeIds, inputIds);
        requireShape("attentionMask", attentionMask, inputIds);
        NDArray types = tokenTypeIds != null ? tokenTypeIds : inputIds.zerosLike();
        NDArray hidden = embeddings.forward(inputIds, types, null, training, weights)
                .reshape(batch * length, config.hiddenSize());
        hidden = encoder.forward(hidden, attentionMask != null ? attentionMask : inputIds.onesLike(), batch, length,
                training, weights);
        NDArray lastHiddenState = hidden.reshape(batch, length, config.hiddenSize());
        if (poolerWeight == null) {
            return new Output(lastHiddenState, null);
        }
        NDArray first = lastHiddenState.get(new NDIndex(":, 0"));
        NDArray pooled = Linear.linear(first, weights.apply(poolerWeight), weights.apply(poolerBias)).singletonOrThrow().tanh();
        return new Output(lastHiddenState, pooled);
    }

    private static void requireShape(String name, NDArray array, NDArray inputIds) {
        if (array != null && !array.getShape().equals(inputIds.getShape())) {
            throw new IllegalArgumentException(
                    name + " has shape " + array.getShape() + " but inputIds has " + inputIds.getShape());
        }
    }

    /** Hugging Face names in checkpoint order -> the live parameter arrays. */
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    /** Which weights the checkpoint lacked or had in excess (empty lists for a randomly initialised model). */
    public WeightLoadReport loadReport() {
        return loadReport;
    }

    /** Dropout from the engine's generator (Engine.setRandomSeed reproduces it); the identity when not training. */
    public static NDArray dropout(NDArray x, float probability, boolean training) {
        if (!training || probability == 0f) {
            return x;
        }
        return Dropout.dropout(x, probability, true).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
