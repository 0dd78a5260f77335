package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SafetensorsWriter;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * transformers' DebertaV2ForSequenceClassification: the encoder under "deberta.", the ContextPooler on the [CLS]
 * vector (dropout, {@code pooler.dense}, pooler_hidden_act), dropout (cls_dropout) and a linear "classifier".
 */
public final class DebertaV2ForSequenceClassification implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "DebertaV2ForSequenceClassification";

    private final DebertaV2Config config;
    private final DebertaV2Model deberta;
    private final NDArray poolerWeight;
    private final NDArray poolerBias;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** Multiplying by it turns float16 logits into float32 inside autograd (toType would detach). */
    private final NDArray float32One;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private DebertaV2ForSequenceClassification(DebertaV2Config config, NDManager manager, ParameterFactory params) {
        this.config = config;
        deberta = new DebertaV2Model(config, manager, params, DebertaV2Model.BASE_MODEL_PREFIX);
        int hidden = config.hiddenSize();
        poolerWeight = params.linearWeight("pooler.dense.weight", hidden, hidden);
        poolerBias = params.bias("pooler.dense.bias", hidden);
        classifierWeight = params.linearWeight("classifier.weight", config.numLabels(), hidden);
        classifierBias = params.bias("classifier.bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(ARCHITECTURE);
        float32One = manager.ones(new Shape(1), DataType.FLOAT32);
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DebertaV2ForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, DebertaV2Config.read(dir.resolve("config.json")).withLabels(numLabels, labelNames), manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static DebertaV2ForSequenceClassification fromPretrained(Path dir, DebertaV2Config config, NDManager manager, long seed)
            throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.open(dir, DebertaV2Model.BASE_MODEL_PREFIX)) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DebertaV2ForSequenceClassification fromConfig(DebertaV2Config config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static DebertaV2ForSequenceClassification build(DebertaV2Config config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new DebertaV2ForSequenceClassification(config, manager, params));
    }

    @Override
    public DebertaV2Config config() {
        return config;
    }

    public DebertaV2Model deberta() {
        return deberta;
    }

    /** int64 (B, T) inputs (token types used only where type_vocab_size > 0); float32 logits (B, numLabels). */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray first = deberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights).get(new NDIndex(":, 0"));
        NDArray x = BertModel.dropout(first, config.poolerDropout(), training);
        x = config.poolerHiddenAct().apply(
                Linear.linear(x, weights.apply(poolerWeight), weights.apply(poolerBias)).singletonOrThrow());
        x = BertModel.dropout(x, config.clsDropout(), training);
        NDArray logits = Linear.linear(x, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.mul(float32One);
    }

    /** fp16: the forward pass in float16 on casts of the float32 masters ({@link MixedPrecision}); float32 logits. */
    @Override
    public NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, MixedPrecision.float16Weights(float32Kept));
    }

    @Override
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    public WeightLoadReport loadReport() {
        return loadReport;
    }

    /** Writes config.json and model.safetensors into {@code dir}, as save_pretrained. */
    public void savePretrained(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"), ARCHITECTURE);
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        deberta.close();
    }
}
