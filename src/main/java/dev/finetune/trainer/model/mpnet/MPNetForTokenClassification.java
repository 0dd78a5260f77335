package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SafetensorsWriter;
import dev.finetune.trainer.model.TokenClassificationModel;
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

/** transformers' MPNetForTokenClassification: the encoder under "mpnet.", dropout and a linear "classifier" per token. */
public final class MPNetForTokenClassification implements TokenClassificationModel {
    public static final String ARCHITECTURE = "MPNetForTokenClassification";

    private final MPNetConfig config;
    private final MPNetModel mpnet;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** Multiplying by it turns float16 logits into float32 inside autograd (toType would detach). */
    private final NDArray float32One;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private MPNetForTokenClassification(MPNetConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        mpnet = new MPNetModel(config, manager, params, MPNetModel.BASE_MODEL_PREFIX);
        int hidden = config.hiddenSize();
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
    public static MPNetForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, MPNetConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static MPNetForTokenClassification fromPretrained(Path dir, MPNetConfig config, NDManager manager, long seed)
            throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.openForHead(dir, MPNetModel.BASE_MODEL_PREFIX,
                "ForTokenClassification")) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static MPNetForTokenClassification fromConfig(MPNetConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static MPNetForTokenClassification build(MPNetConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new MPNetForTokenClassification(config, manager, params));
    }

    @Override
    public MPNetConfig config() {
        return config;
    }

    public MPNetModel mpnet() {
        return mpnet;
    }

    /** int64 (B, T) inputs (token types are ignored: MPNet has none); float32 logits (B, T, numLabels). */
    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = mpnet.forward(inputIds, attentionMask, training, weights);
        NDArray x = BertModel.dropout(hidden, config.hiddenDropoutProb(), training);
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

    @Override
    public WeightLoadReport loadReport() {
        return loadReport;
    }

    /** Writes config.json and model.safetensors into {@code dir}, as save_pretrained. */
    @Override
    public void savePretrained(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"), ARCHITECTURE);
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        mpnet.close();
    }
}
