package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * transformers' BertForSequenceClassification: the encoder under "bert.", dropout on the pooled [CLS] vector, and a
 * linear "classifier" to {@code num_labels} logits. Saves and loads the Hugging Face folder layout.
 */
public final class BertForSequenceClassification implements AutoCloseable {
    static final String CONFIG_FILE = "config.json";

    private final BertConfig config;
    private final BertModel bert;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private BertForSequenceClassification(BertConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        bert = new BertModel(config, manager, params, PretrainedWeights.BASE_MODEL_PREFIX);
        classifierWeight = params.linearWeight("classifier.weight", config.numLabels(), config.hiddenSize());
        classifierBias = params.bias("classifier.bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport("BertForSequenceClassification");
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /**
     * Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels: weights the checkpoint
     * lacks are initialised from {@code seed} and listed in one log line, unused ones in another.
     *
     * @param labelNames names of the labels in id order, or null to keep the config's (or LABEL_0, LABEL_1, ...)
     */
    public static BertForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, numLabels, labelNames, null, manager, seed);
    }

    /** As above, with the config's problem_type set (null: kept as the checkpoint has it). */
    public static BertForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            String problemType, NDManager manager, long seed) throws IOException {
        BertConfig config = BertConfig.read(dir.resolve(CONFIG_FILE)).withLabels(numLabels, labelNames)
                .withProblemType(problemType);
        try (PretrainedWeights weights = PretrainedWeights.open(dir)) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (from {@code seed}: the same seed gives the same weights). */
    public static BertForSequenceClassification fromConfig(BertConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static BertForSequenceClassification build(BertConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new BertForSequenceClassification(config, manager, params));
    }

    public BertConfig config() {
        return config;
    }

    /** The encoder, for its hidden states. */
    public BertModel bert() {
        return bert;
    }

    /** int64 (B,T) inputs; returns float32 logits (B, numLabels). */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** With each parameter replaced by {@code weights.apply(parameter)}; the logits are float32 whatever it gives. */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray pooled = bert.forward(inputIds, tokenTypeIds, attentionMask, training, weights).pooledOutput();
        pooled = BertModel.dropout(pooled, config.classifierDropoutProb(), training);
        NDArray logits = Linear.linear(pooled, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return AutogradCast.to(logits, DataType.FLOAT32);
    }

    /** fp16: the forward pass in float16 on casts of the float32 masters ({@link MixedPrecision}); float32 logits. */
    public NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, MixedPrecision.float16Weights(float32Kept));
    }

    /** Hugging Face names in checkpoint order -> parameter arrays (gradient attached when training). */
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    /** Which weights the checkpoint lacked or had in excess (empty lists for a randomly initialised model). */
    public WeightLoadReport loadReport() {
        return loadReport;
    }

    /** Writes config.json and model.safetensors into {@code dir} (created if absent), as save_pretrained. */
    public void savePretrained(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve(CONFIG_FILE));
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        bert.close();
    }
}
