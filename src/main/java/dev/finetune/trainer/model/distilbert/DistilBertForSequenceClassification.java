package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import dev.finetune.trainer.model.AbstractPretrainedModel;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.LinearLayer;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SequenceClassificationModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' DistilBertForSequenceClassification: the encoder under "distilbert.", then on the first token's
 * vector {@code pre_classifier}, ReLU, dropout (seq_classif_dropout) and {@code classifier}.
 */
public final class DistilBertForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "DistilBertForSequenceClassification";

    private final DistilBertConfig config;
    private final DistilBertModel distilbert;
    private final LinearLayer preClassifier;
    private final LinearLayer classifier;

    private DistilBertForSequenceClassification(DistilBertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new DistilBertModel(config, manager, params, DistilBertModel.BASE_MODEL_PREFIX),
                LinearLayer.create(params, "pre_classifier.", config.hiddenSize(), config.hiddenSize()),
                LinearLayer.create(params, "classifier.", config.numLabels(), config.hiddenSize()), params);
    }

    /** {@code distilbert}, {@code preClassifier}, {@code classifier}: the checkpoint and initialisation order. */
    private DistilBertForSequenceClassification(DistilBertConfig config, DistilBertModel distilbert,
            LinearLayer preClassifier, LinearLayer classifier, ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.distilbert = distilbert;
        this.preClassifier = preClassifier;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DistilBertForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, DistilBertConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static DistilBertForSequenceClassification fromPretrained(Path dir, DistilBertConfig config, NDManager manager,
            long seed) throws IOException {
        return load(PretrainedWeights.open(dir, DistilBertModel.BASE_MODEL_PREFIX),
                config, manager, seed, DistilBertForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DistilBertForSequenceClassification fromConfig(DistilBertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, DistilBertForSequenceClassification::new);
    }

    @Override
    public DistilBertConfig config() {
        return config;
    }

    public DistilBertModel distilbert() {
        return distilbert;
    }

    /** int64 (B, T) inputs (token types are ignored: DistilBERT has none); (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray first = distilbert.forward(inputIds, attentionMask, training, weights).get(new NDIndex(":, 0"));
        NDArray x = Activation.relu(preClassifier.forward(first, weights));
        return classifier.forward(BertModel.dropout(x, config.seqClassifDropout(), training), weights);
    }

    @Override
    public void close() {
        distilbert.close();
    }
}
