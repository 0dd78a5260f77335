package dev.finetune.trainer.model.mpnet;

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
 * transformers' MPNetForSequenceClassification: the encoder under "mpnet." and MPNetClassificationHead on the
 * {@code <s>} vector ({@link FirstTokenClassificationHead} with tanh).
 */
public final class MPNetForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "MPNetForSequenceClassification";

    private final MPNetConfig config;
    private final MPNetModel mpnet;
    private final FirstTokenClassificationHead classifier;

    private MPNetForSequenceClassification(MPNetConfig config, NDManager manager, ParameterFactory params) {
        this(config, new MPNetModel(config, manager, params, MPNetModel.BASE_MODEL_PREFIX),
                new FirstTokenClassificationHead(params, config.hiddenSize(), config.numLabels(), NDArray::tanh,
                        config.hiddenDropoutProb()), params);
    }

    /** {@code mpnet}, then {@code classifier}: the checkpoint and initialisation order of the parameters. */
    private MPNetForSequenceClassification(MPNetConfig config, MPNetModel mpnet,
            FirstTokenClassificationHead classifier, ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.mpnet = mpnet;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static MPNetForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, MPNetConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames), manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static MPNetForSequenceClassification fromPretrained(Path dir, MPNetConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.open(dir, MPNetModel.BASE_MODEL_PREFIX),
                config, manager, seed, MPNetForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static MPNetForSequenceClassification fromConfig(MPNetConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, MPNetForSequenceClassification::new);
    }

    @Override
    public MPNetConfig config() {
        return config;
    }

    public MPNetModel mpnet() {
        return mpnet;
    }

    /** int64 (B, T) inputs (token types are ignored: MPNet has none); (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        return classifier.forward(mpnet.forward(inputIds, attentionMask, training, weights), training, weights);
    }

    @Override
    public void close() {
        mpnet.close();
    }
}
