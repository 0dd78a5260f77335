package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What every family's head class is besides its encoder and head, as transformers' PreTrainedModel: the parameter
 * list, the float32 logits, fp16's float32 LayerNorms, the load report and save_pretrained. A subclass supplies the
 * logits of its encoder and head.
 */
public abstract class AbstractPretrainedModel implements PretrainedModel {
    private final EncoderConfig config;
    private final String architecture;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    /** The parameters fp16 keeps in float32 (the LayerNorm ones). */
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    /** A head class's constructor: the encoder and head of {@code config}, made by {@code params}. */
    @FunctionalInterface
    protected interface ModelConstructor<C, M> {
        M create(C config, NDManager manager, ParameterFactory params);
    }

    /**
     * Takes the parameters {@code params} has made (the encoder's and the head's, already, in checkpoint order) and
     * what loading matched.
     *
     * @param architecture transformers' class name, in the load report and the saved config.json
     */
    protected AbstractPretrainedModel(EncoderConfig config, String architecture, ParameterFactory params) {
        this.config = config;
        this.architecture = architecture;
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(architecture);
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /**
     * from_pretrained: the model of {@code config}, its parameters from {@code weights} where they are there, else
     * initialised from {@code seed}; closes {@code weights}.
     */
    protected static <C extends EncoderConfig, M> M load(PretrainedWeights weights, C config, NDManager manager,
            long seed, ModelConstructor<C, M> constructor) throws IOException {
        try (weights) {
            return ParameterFactory.build(manager, seed, config.initializerRange(), weights,
                    (modelManager, params) -> constructor.create(config, modelManager, params));
        }
    }

    /** A randomly initialised model of {@code config} (the same seed gives the same weights). */
    protected static <C extends EncoderConfig, M> M initialise(C config, NDManager manager, long seed,
            ModelConstructor<C, M> constructor) {
        return ParameterFactory.build(manager, seed, config.initializerRange(), null,
                (modelManager, params) -> constructor.create(config, modelManager, params));
    }

    /** The head's logits, in the activations' dtype, each parameter replaced by {@code weights.apply(parameter)}. */
    protected abstract NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights);

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
        return AutogradCast.to(logits(inputIds, tokenTypeIds, attentionMask, training, weights), DataType.FLOAT32);
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
