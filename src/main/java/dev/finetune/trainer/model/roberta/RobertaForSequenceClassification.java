package dev.finetune.trainer.model.roberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractPretrainedModel;
import dev.finetune.trainer.model.FirstTokenClassificationHead;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SequenceClassificationModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' RobertaForSequenceClassification (and XLMRobertaForSequenceClassification, the same class): the
 * encoder under "roberta." and RobertaClassificationHead on {@code <s>} ({@link FirstTokenClassificationHead}, tanh).
 */
public final class RobertaForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    static final String HEAD = "ForSequenceClassification";

    private final RobertaConfig config;
    private final RobertaModel roberta;
    private final FirstTokenClassificationHead classifier;

    private RobertaForSequenceClassification(RobertaConfig config, NDManager manager, ParameterFactory params) {
        this(config, new RobertaModel(config, manager, params, RobertaModel.BASE_MODEL_PREFIX),
                new FirstTokenClassificationHead(params, config.hiddenSize(), config.numLabels(), NDArray::tanh,
                        config.classifierDropoutProb()), params);
    }

    /** {@code roberta}, then {@code classifier}: the checkpoint and initialisation order of the parameters. */
    private RobertaForSequenceClassification(RobertaConfig config, RobertaModel roberta,
            FirstTokenClassificationHead classifier, ParameterFactory params) {
        super(config, config.architecture(HEAD), params);
        this.config = config;
        this.roberta = roberta;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static RobertaForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, RobertaConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static RobertaForSequenceClassification fromPretrained(Path dir, RobertaConfig config, NDManager manager,
            long seed) throws IOException {
        return load(PretrainedWeights.open(dir, RobertaModel.BASE_MODEL_PREFIX),
                config, manager, seed, RobertaForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static RobertaForSequenceClassification fromConfig(RobertaConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, RobertaForSequenceClassification::new);
    }

    @Override
    public RobertaConfig config() {
        return config;
    }

    public RobertaModel roberta() {
        return roberta;
    }

    /** int64 (B, T) inputs; (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = roberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
        return classifier.forward(hidden, training, weights);
    }

    @Override
    public void close() {
        roberta.close();
    }
}
