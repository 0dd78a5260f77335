package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' BertForSequenceClassification: the encoder under "bert.", dropout on the pooled [CLS] vector, and a
 * linear "classifier" to {@code num_labels} logits. Saves and loads the Hugging Face folder layout.
 */
public final class BertForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    static final String CONFIG_FILE = "config.json";
    public static final String ARCHITECTURE = "BertForSequenceClassification";

    private final BertConfig config;
    private final BertModel bert;
    private final LinearLayer classifier;

    private BertForSequenceClassification(BertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new BertModel(config, manager, params, PretrainedWeights.BASE_MODEL_PREFIX),
                LinearLayer.create(params, "classifier.", config.numLabels(), config.hiddenSize()), params);
    }

    /** {@code bert}, then {@code classifier}: the checkpoint and initialisation order of the parameters. */
    private BertForSequenceClassification(BertConfig config, BertModel bert, LinearLayer classifier,
            ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.bert = bert;
        this.classifier = classifier;
    }

    /**
     * Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels: weights the checkpoint
     * lacks are initialised from {@code seed} and listed in one log line, unused ones in another.
     *
     * @param labelNames names of the labels in id order, or null to keep the config's (or LABEL_0, LABEL_1, ...)
     */
    public static BertForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, BertConfig.read(dir.resolve(CONFIG_FILE)).withLabels(numLabels, labelNames), manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static BertForSequenceClassification fromPretrained(Path dir, BertConfig config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.open(dir), config, manager, seed, BertForSequenceClassification::new);
    }

    /** A randomly initialised model (from {@code seed}: the same seed gives the same weights). */
    public static BertForSequenceClassification fromConfig(BertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, BertForSequenceClassification::new);
    }

    @Override
    public BertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public BertModel bert() {
        return bert;
    }

    /** int64 (B,T) inputs; (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray pooled = bert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).pooledOutput();
        return classifier.forward(BertModel.dropout(pooled, config.classifierDropoutProb(), training), weights);
    }

    @Override
    public void close() {
        bert.close();
    }
}
