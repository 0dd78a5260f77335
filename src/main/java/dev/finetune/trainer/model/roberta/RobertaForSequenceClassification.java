package dev.finetune.trainer.model.roberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.trainer.model.AutogradCast;
import dev.finetune.trainer.model.FirstTokenClassificationHead;
import dev.finetune.trainer.model.MixedPrecision;
import dev.finetune.trainer.model.ParameterFactory;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.SafetensorsWriter;
import dev.finetune.trainer.model.SequenceClassificationModel;
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
 * transformers' RobertaForSequenceClassification (and XLMRobertaForSequenceClassification, the same class): the
 * encoder under "roberta." and RobertaClassificationHead on {@code <s>} ({@link FirstTokenClassificationHead}, tanh).
 */
public final class RobertaForSequenceClassification implements SequenceClassificationModel {
    static final String HEAD = "ForSequenceClassification";

    private final RobertaConfig config;
    private final RobertaModel roberta;
    private final FirstTokenClassificationHead classifier;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private RobertaForSequenceClassification(RobertaConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        roberta = new RobertaModel(config, manager, params, RobertaModel.BASE_MODEL_PREFIX);
        classifier = new FirstTokenClassificationHead(params, config.hiddenSize(), config.numLabels(), NDArray::tanh,
                config.classifierDropoutProb());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(config.architecture(HEAD));
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static RobertaForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, RobertaConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static RobertaForSequenceClassification fromPretrained(Path dir, RobertaConfig config, NDManager manager,
            long seed) throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.open(dir, RobertaModel.BASE_MODEL_PREFIX)) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static RobertaForSequenceClassification fromConfig(RobertaConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static RobertaForSequenceClassification build(RobertaConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new RobertaForSequenceClassification(config, manager, params));
    }

    @Override
    public RobertaConfig config() {
        return config;
    }

    public RobertaModel roberta() {
        return roberta;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** With each parameter replaced by {@code weights.apply(parameter)}; float32 logits (B, numLabels) whatever it gives. */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = roberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
        return AutogradCast.to(classifier.forward(hidden, training, weights), DataType.FLOAT32);
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
        config.write(dir.resolve("config.json"), config.architecture(HEAD));
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        roberta.close();
    }
}
