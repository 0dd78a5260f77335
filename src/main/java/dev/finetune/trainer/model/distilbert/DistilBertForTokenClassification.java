package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractTokenClassificationModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** transformers' DistilBertForTokenClassification: the encoder under "distilbert.", dropout and a linear "classifier" per token. */
public final class DistilBertForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "DistilBertForTokenClassification";

    private final DistilBertConfig config;
    private final DistilBertModel distilbert;

    private DistilBertForTokenClassification(DistilBertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new DistilBertModel(config, manager, params, DistilBertModel.BASE_MODEL_PREFIX), params);
    }

    /** {@code distilbert} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private DistilBertForTokenClassification(DistilBertConfig config, DistilBertModel distilbert, ParameterFactory params) {
        super(config, ARCHITECTURE, params, config.dropout());
        this.config = config;
        this.distilbert = distilbert;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DistilBertForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, DistilBertConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static DistilBertForTokenClassification fromPretrained(Path dir, DistilBertConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, DistilBertModel.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, DistilBertForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DistilBertForTokenClassification fromConfig(DistilBertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, DistilBertForTokenClassification::new);
    }

    @Override
    public DistilBertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public DistilBertModel distilbert() {
        return distilbert;
    }

    /** int64 (B, T) inputs (token types are ignored: DistilBERT has none). */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return distilbert.forward(inputIds, attentionMask, training, weights);
    }

    @Override
    public void close() {
        distilbert.close();
    }
}
