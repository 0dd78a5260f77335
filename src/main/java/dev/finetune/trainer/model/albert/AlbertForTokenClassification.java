package dev.finetune.trainer.model.albert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractTokenClassificationModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' AlbertForTokenClassification: the encoder under "albert." without its pooler, dropout and a linear
 * "classifier" per token.
 */
public final class AlbertForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "AlbertForTokenClassification";

    private final AlbertConfig config;
    private final AlbertModel albert;

    private AlbertForTokenClassification(AlbertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new AlbertModel(config, manager, params, AlbertModel.BASE_MODEL_PREFIX, false), params);
    }

    /** {@code albert} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private AlbertForTokenClassification(AlbertConfig config, AlbertModel albert, ParameterFactory params) {
        super(config, ARCHITECTURE, params, dropout(config));
        this.config = config;
        this.albert = albert;
    }

    /** classifier_dropout_prob, or hidden_dropout_prob where it is null, as AlbertForTokenClassification does. */
    private static float dropout(AlbertConfig config) {
        Float classifierDropout = config.classifierDropoutProb();
        return classifierDropout != null ? classifierDropout : config.hiddenDropoutProb();
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static AlbertForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, AlbertConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static AlbertForTokenClassification fromPretrained(Path dir, AlbertConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, AlbertModel.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, AlbertForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static AlbertForTokenClassification fromConfig(AlbertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, AlbertForTokenClassification::new);
    }

    @Override
    public AlbertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public AlbertModel albert() {
        return albert;
    }

    /** int64 (B, T) inputs (token types are ignored: null for all zeros). */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return albert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).lastHiddenState();
    }

    @Override
    public void close() {
        albert.close();
    }
}
