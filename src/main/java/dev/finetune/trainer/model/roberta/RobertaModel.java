package dev.finetune.trainer.model.roberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
 * The RoBERTa encoder as transformers' RobertaModel(add_pooling_layer=False), which both its task heads use: BERT's
 * embeddings and layers under the same names, with position ids counted from the padding index.
 */
public final class RobertaModel implements AutoCloseable {
    /** The base model's attribute name in RobertaFor* and XLMRobertaFor* alike. */
    public static final String BASE_MODEL_PREFIX = "roberta.";

    private final RobertaConfig config;
    private final NDManager manager;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final LinkedHashMap<String, NDArray> parameters;
    private WeightLoadReport loadReport = new WeightLoadReport(List.of(), List.of());

    RobertaModel(RobertaConfig config, NDManager manager, ParameterFactory params, String prefix) {
        this.config = config;
        this.manager = manager;
        embeddings = new BertEmbeddings(config.embeddingSizes(), params, prefix + "embeddings.");
        encoder = new BertEncoder(config.layerSizes(), config.numHiddenLayers(), params, prefix);
        parameters = new LinkedHashMap<>(params.parameters());
    }

    /** The encoder alone from a Hugging Face folder (names with or without "roberta."; a pooler there is unused). */
    public static RobertaModel fromPretrained(Path dir, NDManager parent, long seed) throws IOException {
        RobertaConfig config = RobertaConfig.read(dir.resolve("config.json"));
        try (PretrainedWeights weights = PretrainedWeights.open(dir, BASE_MODEL_PREFIX)) {
            return ParameterFactory.build(parent, seed, config.initializerRange(), weights, (manager, params) -> {
                RobertaModel model = new RobertaModel(config, manager, params, "");
                model.loadReport = params.loadReport(config.architecture("Model"));
                return model;
            });
        }
    }

    public RobertaConfig config() {
        return config;
    }

    /**
     * @param inputIds int64 (B, T)
     * @param tokenTypeIds int64 (B, T), or null for all zeros (RoBERTa's tokenizers give none)
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
        NDArray hidden = embeddings.forward(inputIds, types, positionIds(inputIds), training, weights)
                .reshape(batch * length, config.hiddenSize());
        hidden = encoder.forward(hidden, attentionMask != null ? attentionMask : inputIds.onesLike(), batch, length,
                training, weights);
        return hidden.reshape(batch, length, config.hiddenSize());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /**
     * transformers' create_position_ids_from_input_ids: the tokens that are not pad_token_id are numbered
     * pad_token_id + 1, + 2, ... in order, padding gets pad_token_id. int64 (B, T).
     */
    public NDArray positionIds(NDArray inputIds) {
        int length = Math.toIntExact(inputIds.getShape().get(1));
        if (length > config.maxInputLength()) {
            throw new IllegalArgumentException("sequence length " + length + " needs position ids up to "
                    + (length + config.padTokenId()) + ", beyond max_position_embeddings " + config.maxPositionEmbeddings());
        }
        NDArray notPadding = inputIds.neq(config.padTokenId()).toType(DataType.INT64, false);
        return notPadding.cumSum(1).mul(notPadding).add(config.padTokenId());
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
