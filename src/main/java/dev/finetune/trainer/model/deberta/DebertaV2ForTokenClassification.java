package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractTokenClassificationModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** transformers' DebertaV2ForTokenClassification: the encoder under "deberta.", dropout and a linear "classifier" per token. */
public final class DebertaV2ForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "DebertaV2ForTokenClassification";

    private final DebertaV2Config config;
    private final DebertaV2Model deberta;

    private DebertaV2ForTokenClassification(DebertaV2Config config, NDManager manager, ParameterFactory params) {
        this(config, new DebertaV2Model(config, manager, params, DebertaV2Model.BASE_MODEL_PREFIX), params);
    }

    /** {@code deberta} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private DebertaV2ForTokenClassification(DebertaV2Config config, DebertaV2Model deberta, ParameterFactory params) {
        super(config, ARCHITECTURE, params, config.hiddenDropoutProb());
        this.config = config;
        this.deberta = deberta;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DebertaV2ForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, DebertaV2Config.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static DebertaV2ForTokenClassification fromPretrained(Path dir, DebertaV2Config config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, DebertaV2Model.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, DebertaV2ForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DebertaV2ForTokenClassification fromConfig(DebertaV2Config config, NDManager manager, long seed) {
        return initialise(config, manager, seed, DebertaV2ForTokenClassification::new);
    }

    @Override
    public DebertaV2Config config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public DebertaV2Model deberta() {
        return deberta;
    }

    /** int64 (B, T) inputs (token types used only where type_vocab_size > 0). */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return deberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
    }

    @Override
    public void close() {
        deberta.close();
    }
}
