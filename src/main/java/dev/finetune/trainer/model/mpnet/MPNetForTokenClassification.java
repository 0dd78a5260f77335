package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractTokenClassificationModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** transformers' MPNetForTokenClassification: the encoder under "mpnet.", dropout and a linear "classifier" per token. */
public final class MPNetForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "MPNetForTokenClassification";

    private final MPNetConfig config;
    private final MPNetModel mpnet;

    private MPNetForTokenClassification(MPNetConfig config, NDManager manager, ParameterFactory params) {
        this(config, new MPNetModel(config, manager, params, MPNetModel.BASE_MODEL_PREFIX), params);
    }

    /** {@code mpnet} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private MPNetForTokenClassification(MPNetConfig config, MPNetModel mpnet, ParameterFactory params) {
        super(config, ARCHITECTURE, params, config.hiddenDropoutProb());
        this.config = config;
        this.mpnet = mpnet;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static MPNetForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, MPNetConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static MPNetForTokenClassification fromPretrained(Path dir, MPNetConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, MPNetModel.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, MPNetForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static MPNetForTokenClassification fromConfig(MPNetConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, MPNetForTokenClassification::new);
    }

    @Override
    public MPNetConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public MPNetModel mpnet() {
        return mpnet;
    }

    /** int64 (B, T) inputs (token types are ignored: MPNet has none). */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return mpnet.forward(inputIds, attentionMask, training, weights);
    }

    @Override
    public void close() {
        mpnet.close();
    }
}
