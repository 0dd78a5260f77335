package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
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
 * What every family's ForTokenClassification is besides its encoder: dropout and a linear "classifier" on every
 * token's hidden state (the same in all transformers' token-classification models), the parameter list, fp16's
 * float32 LayerNorms and save_pretrained. A family supplies the encoder's output and its classifier dropout.
 */
public abstract class AbstractTokenClassificationModel implements TokenClassificationModel {
    /** What the class names of transformers' token classifiers end with (a checkpoint whose head this is). */
    protected static final String HEAD_SUFFIX = "ForTokenClassification";

    private final EncoderConfig config;
    private final String architecture;
    private final float dropoutProb;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * Adds the head to the encoder's parameters, which {@code params} has made already (checkpoint and
     * initialisation order: encoder first), and takes the list and what loading matched.
     *
     * @param architecture transformers' class name, in the load report and the saved config.json
     * @param dropoutProb the family's dropout before the classifier
     */
    protected AbstractTokenClassificationModel(EncoderConfig config, String architecture, ParameterFactory params,
            float dropoutProb) {
        this.config = config;
        this.architecture = architecture;
        this.dropoutProb = dropoutProb;
        classifierWeight = params.linearWeight(CLASSIFIER_PREFIX + "weight", config.numLabels(), config.hiddenSize());
        classifierBias = params.bias(CLASSIFIER_PREFIX + "bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(architecture);
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /** The encoder's (B, T, hidden) output, each parameter replaced by {@code weights.apply(parameter)}. */
    protected abstract NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask,
            boolean training, UnaryOperator<NDArray> weights);

    @Override
    public EncoderConfig config() {
        return config;
    }

    @Override
    public final NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    /** With each parameter replaced by {@code weights.apply(parameter)}; the logits are float32 whatever it gives. */
    public final NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = lastHiddenState(inputIds, tokenTypeIds, attentionMask, training, weights);
        NDArray x = BertModel.dropout(hidden, dropoutProb, training);
        NDArray logits = Linear.linear(x, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return AutogradCast.to(logits, DataType.FLOAT32);
    }

    @Override
    public final NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask,
            boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, MixedPrecision.float16Weights(float32Kept));
    }

    @Override
    public final LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }

    @Override
    public final WeightLoadReport loadReport() {
        return loadReport;
    }

    @Override
    public final void savePretrained(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"),
                ConfigFields.JSON.writeValueAsString(config.toJson(architecture)) + "\n");
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }
}
