package dev.finetune.trainer.model.electra;

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
 * transformers' ElectraForTokenClassification: the encoder under "electra.", dropout (classifier_dropout, else
 * hidden_dropout_prob) and a linear "classifier" on every token.
 */
public final class ElectraForTokenClassification extends AbstractTokenClassificationModel {
    public static final String ARCHITECTURE = "ElectraForTokenClassification";

    private final ElectraConfig config;
    private final ElectraModel electra;

    private ElectraForTokenClassification(ElectraConfig config, NDManager manager, ParameterFactory params) {
        this(config, new ElectraModel(config, manager, params, ElectraModel.BASE_MODEL_PREFIX), params);
    }

    /** {@code electra} first: its parameters come before the head's, in checkpoint and initialisation order. */
    private ElectraForTokenClassification(ElectraConfig config, ElectraModel electra, ParameterFactory params) {
        super(config, ARCHITECTURE, params, config.classifierDropoutProb());
        this.config = config;
        this.electra = electra;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static ElectraForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, ElectraConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static ElectraForTokenClassification fromPretrained(Path dir, ElectraConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.openForHead(dir, ElectraModel.BASE_MODEL_PREFIX, HEAD_SUFFIX),
                config, manager, seed, ElectraForTokenClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static ElectraForTokenClassification fromConfig(ElectraConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, ElectraForTokenClassification::new);
    }

    @Override
    public ElectraConfig config() {
        return config;
    }

    /** int64 (B, T) inputs. */
    @Override
    protected NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return electra.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
    }

    @Override
    public void close() {
        electra.close();
    }
}
