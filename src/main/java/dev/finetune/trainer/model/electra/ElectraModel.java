package dev.finetune.trainer.model.electra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertEmbeddings;
import dev.finetune.trainer.model.BertEncoder;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The ELECTRA discriminator as transformers' ElectraModel: BERT's embeddings embedding_size wide, projected to
 * hidden_size by {@code embeddings_project} where the two differ, then BERT's layers; no pooler.
 */
public final class ElectraModel implements AutoCloseable {
    public static final String BASE_MODEL_PREFIX = "electra.";

    private final ElectraConfig config;
    private final NDManager manager;
    private final BertEmbeddings embeddings;
    /** Null where embedding_size equals hidden_size (transformers then has no embeddings_project). */
    private final NDArray projectWeight;
    private final NDArray projectBias;
    private final BertEncoder encoder;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    ElectraModel(ElectraConfig config, NDManager manager, ParameterFactory params, String prefix) {
        this.config = config;
        this.manager = manager;
        embeddings = new BertEmbeddings(config.embeddingSizes(), params, prefix + "embeddings.");
        if (config.embeddingSize() != config.hiddenSize()) {
            projectWeight = params.linearWeight(prefix + "embeddings_project.weight", config.hiddenSize(), config.embeddingSize());
            projectBias = params.bias(prefix + "embeddings_project.bias", config.hiddenSize());
        } else {
            projectWeight = null;
            projectBias = null;
        }
        encoder = new BertEncoder(config.layerSizes(), config.numHiddenLayers(), params, prefix);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder alone from a Hugging Face folder (names with or without "electra."). */
    public static ElectraModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        ElectraConfig config = ElectraConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                ElectraModel model = new ElectraModel(config, manager, params, "");
                model.loadReport = params.loadReport("ElectraModel");
                return model;
            });
        }
    }

    public ElectraConfig config() {
        return config;
    }

    /**
     * @param inputIds int64 (B, T)
     * @param tokenTypeIds int64 (B, T), or null for all zeros
     * @param attentionMask (B, T) 1 for tokens, 0 for padding, or null for no padding
     * @param weights each parameter as computed with (itself, or its float16 copy)
     * @return (B, T, hidden)
     */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be (batch, length), got " + inputIds.getShape());
        }
        for (NDArray other : new NDArray[] {tokenTypeIds, attentionMask}) {
            if (other != null && !other.getShape().equals(inputIds.getShape())) {
                throw new IllegalArgumentException("tokenTypeIds / attentionMask have shape " + other.getShape()
                        + " but inputIds has " + inputIds.getShape());
            }
        }
        long batch = inputIds.getShape().get(0);
        long length = inputIds.getShape().get(1);
        NDArray types = tokenTypeIds != null ? tokenTypeIds : inputIds.zerosLike();
        NDArray hidden = embeddings.forward(inputIds, types, null, training, weights)
                .reshape(batch * length, config.embeddingSize());
        if (projectWeight != null) {
            hidden = Linear.linear(hidden, weights.apply(projectWeight), weights.apply(projectBias)).singletonOrThrow();
        }
        hidden = encoder.forward(hidden, attentionMask != null ? attentionMask : inputIds.onesLike(), batch, length,
                training, weights);
        return hidden.reshape(batch, length, config.hiddenSize());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
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
