package dev.finetune.trainer.model.roberta;

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
 * transformers' RobertaForTokenClassification (and XLMRobertaForTokenClassification): the encoder under "roberta.",
 * dropout (classifier_dropout, else hidden_dropout_prob) and a linear "classifier" on every token.
 */
public final class RobertaForTokenClassification extends AbstractTokenClassificationModel {
    static final String HEAD = "ForTokenClassification";

    private final RobertaConfig config;
    private final RobertaModel roberta;

    private RobertaForTokenClassification(RobertaConfig config, NDManager manager, ParameterFactory params) {
        this(config, new RobertaModel(config, manager, params, RobertaModel.BASE_MODEL_PREFIX), params);
    }

    /** {@code roberta} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private RobertaForTokenClassification(RobertaConfig config, RobertaModel roberta, ParameterFactory params) {
        super(config, config.architecture(HEAD), params, config.classifierDropoutProb());
        this.config = config;
        this.roberta = roberta;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static RobertaForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, RobertaConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static RobertaForTokenClassification fromPretrained(Path dir, RobertaConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, RobertaModel.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, RobertaForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static RobertaForTokenClassification fromConfig(RobertaConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, RobertaForTokenClassification::new);
    }

    @Override
    public RobertaConfig config() {
        return config;
    }

    /** int64 (B, T) inputs. */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return roberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
    }

    @Override
    public void close() {
        roberta.close();
    }
}
