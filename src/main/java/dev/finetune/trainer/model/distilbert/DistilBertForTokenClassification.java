package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.BertModel;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SafetensorsWriter;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/** transformers' DistilBertForTokenClassification: the encoder under "distilbert.", dropout and a linear "classifier" per token. */
public final class DistilBertForTokenClassification implements AutoCloseable {
    public static final String ARCHITECTURE = "DistilBertForTokenClassification";

    private final DistilBertConfig config;
    private final DistilBertModel distilbert;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** Multiplying by it turns float16 logits into float32 inside autograd (toType would detach). */
    private final NDArray float32One;

    private DistilBertForTokenClassification(DistilBertConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        distilbert = new DistilBertModel(config, manager, params, DistilBertModel.BASE_MODEL_PREFIX);
        classifierWeight = params.linearWeight("classifier.weight", config.numLabels(), config.hiddenSize());
        classifierBias = params.bias("classifier.bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(ARCHITECTURE);
        float32One = manager.ones(new Shape(1), DataType.FLOAT32);
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static DistilBertForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        DistilBertConfig config = DistilBertConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames);
        try (PretrainedWeights weights = PretrainedWeights.open(dir, DistilBertModel.BASE_MODEL_PREFIX)) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static DistilBertForTokenClassification fromConfig(DistilBertConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static DistilBertForTokenClassification build(DistilBertConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new DistilBertForTokenClassification(config, manager, params));
    }

    public DistilBertConfig config() {
        return config;
    }

    public DistilBertModel distilbert() {
        return distilbert;
    }

    /** int64 (B, T) inputs (token types are ignored: DistilBERT has none); float32 logits (B, T, numLabels). */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = distilbert.forward(inputIds, attentionMask, training, weights);
        NDArray x = BertModel.dropout(hidden, config.dropout(), training);
        NDArray logits = Linear.linear(x, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.mul(float32One);
    }

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
        distilbert.close();
    }
}
