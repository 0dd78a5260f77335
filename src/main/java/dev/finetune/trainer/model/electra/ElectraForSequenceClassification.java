package dev.finetune.trainer.model.electra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.AbstractPretrainedModel;
import dev.finetune.trainer.model.FirstTokenClassificationHead;
import dev.finetune.trainer.model.HiddenActivation;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SequenceClassificationModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' ElectraForSequenceClassification: the encoder under "electra." and ElectraClassificationHead on the
 * [CLS] vector ({@link FirstTokenClassificationHead} with gelu, where BERT's pooler has tanh).
 */
public final class ElectraForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "ElectraForSequenceClassification";

    private final ElectraConfig config;
    private final ElectraModel electra;
    private final FirstTokenClassificationHead classifier;

    private ElectraForSequenceClassification(ElectraConfig config, NDManager manager, ParameterFactory params) {
        this(config, new ElectraModel(config, manager, params, ElectraModel.BASE_MODEL_PREFIX),
                new FirstTokenClassificationHead(params, config.hiddenSize(), config.numLabels(),
                        HiddenActivation.GELU::apply, config.classifierDropoutProb()), params);
    }

    /** {@code electra}, then {@code classifier}: the checkpoint and initialisation order of the parameters. */
    private ElectraForSequenceClassification(ElectraConfig config, ElectraModel electra,
            FirstTokenClassificationHead classifier, ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.electra = electra;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static ElectraForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, ElectraConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static ElectraForSequenceClassification fromPretrained(Path dir, ElectraConfig config, NDManager manager,
            long seed) throws IOException {
        return load(PretrainedWeights.open(dir, ElectraModel.BASE_MODEL_PREFIX),
                config, manager, seed, ElectraForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static ElectraForSequenceClassification fromConfig(ElectraConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, ElectraForSequenceClassification::new);
    }

    @Override
    public ElectraConfig config() {
        return config;
    }

    public ElectraModel electra() {
        return electra;
    }

    /** int64 (B, T) inputs; (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = electra.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
        return classifier.forward(hidden, training, weights);
    }

    @Override
    public void close() {
        electra.close();
    }
}
