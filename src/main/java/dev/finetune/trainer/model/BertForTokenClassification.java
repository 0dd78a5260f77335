package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * transformers' BertForTokenClassification: the encoder under "bert." without its pooler (add_pooling_layer=False),
 * dropout (classifier_dropout, else hidden_dropout_prob) and a linear "classifier" on every token.
 */
public final class BertForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "BertForTokenClassification";

    private final BertConfig config;
    private final BertModel bert;

    private BertForTokenClassification(BertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new BertModel(config, manager, params, PretrainedWeights.BASE_MODEL_PREFIX, false), params);
    }

    /** {@code bert} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private BertForTokenClassification(BertConfig config, BertModel bert, ParameterFactory params) {
        super(config, ARCHITECTURE, params, config.classifierDropoutProb());
        this.config = config;
        this.bert = bert;
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static BertForTokenClassification fromPretrained(Path dir, BertConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, PretrainedWeights.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, BertForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static BertForTokenClassification fromConfig(BertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, BertForTokenClassification::new);
    }

    @Override
    public BertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public BertModel bert() {
        return bert;
    }

    /** int64 (B, T) inputs (token types: null for all zeros). */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return bert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).lastHiddenState();
    }

    @Override
    public void close() {
        bert.close();
    }
}
