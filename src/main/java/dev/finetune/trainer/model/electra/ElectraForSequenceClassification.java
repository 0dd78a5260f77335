package dev.finetune.trainer.model.electra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.trainer.model.AutogradCast;
import dev.finetune.trainer.model.FirstTokenClassificationHead;
import dev.finetune.trainer.model.HiddenActivation;
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
 * transformers' ElectraForSequenceClassification: the encoder under "electra." and ElectraClassificationHead on the
 * [CLS] vector ({@link FirstTokenClassificationHead} with gelu, where BERT's pooler has tanh).
 */
public final class ElectraForSequenceClassification implements SequenceClassificationModel {
    public static final String ARCHITECTURE = "ElectraForSequenceClassification";

    private final ElectraConfig config;
    private final ElectraModel electra;
    private final FirstTokenClassificationHead classifier;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private ElectraForSequenceClassification(ElectraConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        electra = new ElectraModel(config, manager, params, ElectraModel.BASE_MODEL_PREFIX);
        classifier = new FirstTokenClassificationHead(params, config.hiddenSize(), config.numLabels(),
                HiddenActivation.GELU::apply, config.classifierDropoutProb());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(ARCHITECTURE);
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static ElectraForSequenceClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, ElectraConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /** Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained. */
    public static ElectraForSequenceClassification fromPretrained(Path dir, ElectraConfig config, NDManager manager,
            long seed) throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.open(dir, ElectraModel.BASE_MODEL_PREFIX)) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static ElectraForSequenceClassification fromConfig(ElectraConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static ElectraForSequenceClassification build(ElectraConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new ElectraForSequenceClassification(config, manager, params));
    }

    @Override
    public ElectraConfig config() {
        return config;
    }

    public ElectraModel electra() {
        return electra;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** With each parameter replaced by {@code weights.apply(parameter)}; float32 logits (B, numLabels) whatever it gives. */
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = electra.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
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
        config.write(dir.resolve("config.json"), ARCHITECTURE);
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        electra.close();
    }
}
