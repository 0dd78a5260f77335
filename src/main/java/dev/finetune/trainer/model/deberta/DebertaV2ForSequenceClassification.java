package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
 * transformers' DebertaV2ForSequenceClassification: the encoder under "deberta.", the ContextPooler on the [CLS]
 * vector (dropout, {@code pooler.dense}, pooler_hidden_act), dropout (cls_dropout) and a linear "classifier".
 */
public final class DebertaV2ForSequenceClassification extends AbstractPretrainedModel
        implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "DebertaV2ForSequenceClassification";

    private final DebertaV2Config config;
    private final DebertaV2Model deberta;
    private final LinearLayer pooler;
    private final LinearLayer classifier;

    private DebertaV2ForSequenceClassification(DebertaV2Config config, NDManager manager, ParameterFactory params) {
        this(config, new DebertaV2Model(config, manager, params, DebertaV2Model.BASE_MODEL_PREFIX),
                LinearLayer.create(params, "pooler.dense.", config.hiddenSize(), config.hiddenSize()),
                LinearLayer.create(params, "classifier.", config.numLabels(), config.hiddenSize()), params);
    }

    /** {@code deberta}, {@code pooler}, {@code classifier}: the checkpoint and initialisation order. */
    private DebertaV2ForSequenceClassification(DebertaV2Config config, DebertaV2Model deberta, LinearLayer pooler,
            LinearLayer classifier, ParameterFactory params) {
        super(config, ARCHITECTURE, params);
        this.config = config;
        this.deberta = deberta;
        this.pooler = pooler;
        this.classifier = classifier;
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DebertaV2ForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, DebertaV2Config.read(dir.resolve("config.json")).withLabels(numLabels, labelNames), manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static DebertaV2ForSequenceClassification fromPretrained(Path dir, DebertaV2Config config, NDManager manager, long seed)
            throws IOException {
        return load(PretrainedWeights.open(dir, DebertaV2Model.BASE_MODEL_PREFIX),
                config, manager, seed, DebertaV2ForSequenceClassification::new);
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DebertaV2ForSequenceClassification fromConfig(DebertaV2Config config, NDManager manager, long seed) {
        return initialise(config, manager, seed, DebertaV2ForSequenceClassification::new);
    }

    @Override
    public DebertaV2Config config() {
        return config;
    }

    public DebertaV2Model deberta() {
        return deberta;
    }

    /** int64 (B, T) inputs (token types used only where type_vocab_size > 0); (B, numLabels) logits. */
    @Override
    protected NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray first = deberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights).get(new NDIndex(":, 0"));
        NDArray x = BertModel.dropout(first, config.poolerDropout(), training);
        x = config.poolerHiddenAct().apply(pooler.forward(x, weights));
        return classifier.forward(BertModel.dropout(x, config.clsDropout(), training), weights);
    }

    @Override
    public void close() {
        deberta.close();
    }
}
