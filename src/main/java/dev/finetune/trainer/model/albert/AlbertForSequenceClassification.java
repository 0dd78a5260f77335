package dev.finetune.trainer.model.albert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * transformers' AlbertForSequenceClassification: the encoder and its pooler under "albert.", dropout
 * (classifier_dropout_prob) and {@code classifier} on the pooled vector.
 */
public final class AlbertForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "AlbertForSequenceClassification";

    private final AlbertConfig config;
    private final AlbertModel albert;
    private final LinearLayer classifier;

    private AlbertForSequenceClassification(AlbertConfig config, NDManager manager, ParameterFactory params) {
        this(config, new AlbertModel(config, manager, params, AlbertModel.BASE_MODEL_PREFIX, true),
                LinearLayer.create(params, "classifier.", config.numLabels(), config.hiddenSize()), params);
    }

    /** {@code albert}, then {@code classifier}: the checkpoint and initialisation order of the parameters. */
    private AlbertForSequenceClassification(AlbertConfig config, AlbertModel albert, LinearLayer classifier,
            ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.albert = albert;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static AlbertForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, AlbertConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static AlbertForSequenceClassification fromPretrained(Path dir, AlbertConfig config, NDManager manager,
            long seed) throws IOException {
        return load(PretrainedWeights.open(dir, AlbertModel.BASE_MODEL_PREFIX),
                config, manager, seed, AlbertForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static AlbertForSequenceClassification fromConfig(AlbertConfig config, NDManager manager, long seed) {
        return initialise(config, manager, seed, AlbertForSequenceClassification::new);
    }

    @Override
    public AlbertConfig config() {
        return config;
    }

    public AlbertModel albert() {
        return albert;
    }

    /** int64 (B, T) inputs (token types null for all zeros); (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray pooled = albert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).pooled();
        Float classifierDropout = config.classifierDropoutProb();
        NDArray x = BertModel.dropout(pooled,
                classifierDropout != null ? classifierDropout : config.hiddenDropoutProb(), training);
        return classifier.forward(x, weights);
    }

    @Override
    public void close() {
        albert.close();
    }
}
