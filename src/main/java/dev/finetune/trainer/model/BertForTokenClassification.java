package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * transformers' BertForTokenClassification: the encoder under "bert." without its pooler (add_pooling_layer=False),
 * dropout (classifier_dropout, else hidden_dropout_prob) and a linear "classifier" on every token.
 */
public final class BertForTokenClassification implements TokenClassificationModel {
    public static final String ARCHITECTURE = "BertForTokenClassification";

    private final BertConfig config;
    private final BertModel bert;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private BertForTokenClassification(BertConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        bert = new BertModel(config, manager, params, PretrainedWeights.BASE_MODEL_PREFIX, false);
        classifierWeight = params.linearWeight(CLASSIFIER_PREFIX + "weight", config.numLabels(), config.hiddenSize());
        classifierBias = params.bias(CLASSIFIER_PREFIX + "bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(ARCHITECTURE);
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. BertForSequenceClassification) gives the encoder only.
     */
    public static BertForTokenClassification fromPretrained(Path dir, BertConfig config, NDManager manager, long seed)
            throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.openForHead(dir, PretrainedWeights.BASE_MODEL_PREFIX,
                "ForTokenClassification")) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static BertForTokenClassification fromConfig(BertConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static BertForTokenClassification build(BertConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new BertForTokenClassification(config, manager, params));
    }

    @Override
    public BertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public BertModel bert() {
        return bert;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** With each parameter replaced by {@code weights.apply(parameter)}; the logits are float32 whatever it gives. */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = bert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).lastHiddenState();
        NDArray x = BertModel.dropout(hidden, config.classifierDropoutProb(), training);
        NDArray logits = Linear.linear(x, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return AutogradCast.to(logits, DataType.FLOAT32);
    }

    @Override
    public NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, MixedPrecision.float16Weights(float32Kept));
    }

    @Override
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    @Override
    public WeightLoadReport loadReport() {
        return loadReport;
    }

    @Override
    public void savePretrained(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve(BertForSequenceClassification.CONFIG_FILE), ARCHITECTURE);
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        bert.close();
    }
}
