package dev.finetune.trainer.model.roberta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import dev.finetune.trainer.model.AutogradCast;
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

/**
 * transformers' RobertaForTokenClassification (and XLMRobertaForTokenClassification): the encoder under "roberta.",
 * dropout (classifier_dropout, else hidden_dropout_prob) and a linear "classifier" on every token.
 */
public final class RobertaForTokenClassification implements TokenClassificationModel {
    static final String HEAD = "ForTokenClassification";

    private final RobertaConfig config;
    private final RobertaModel roberta;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;
    private final LinkedHashMap<String, NDArray> parameters;
    private final WeightLoadReport loadReport;
    private final Set<NDArray> float32Kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private RobertaForTokenClassification(RobertaConfig config, NDManager manager, ParameterFactory params) {
        this.config = config;
        roberta = new RobertaModel(config, manager, params, RobertaModel.BASE_MODEL_PREFIX);
        classifierWeight = params.linearWeight("classifier.weight", config.numLabels(), config.hiddenSize());
        classifierBias = params.bias("classifier.bias", config.numLabels());
        parameters = new LinkedHashMap<>(params.parameters());
        loadReport = params.loadReport(config.architecture(HEAD));
        parameters.forEach((name, array) -> {
            if (MixedPrecision.isLayerNorm(name)) {
                float32Kept.add(array);
            }
        });
    }

    /** Loads {@code dir} (config.json + model.safetensors) as from_pretrained with num_labels. */
    public static RobertaForTokenClassification fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, RobertaConfig.read(dir.resolve("config.json")).withLabels(numLabels, labelNames),
                manager, seed);
    }

    /**
     * Loads {@code dir}'s weights into a model of {@code config} (its labels already set), as from_pretrained; a
     * checkpoint of another head (e.g. the sequence classifier) gives the encoder only.
     */
    public static RobertaForTokenClassification fromPretrained(Path dir, RobertaConfig config, NDManager manager, long seed)
            throws IOException {
        try (PretrainedWeights weights = PretrainedWeights.openForHead(dir, RobertaModel.BASE_MODEL_PREFIX,
                "ForTokenClassification")) {
            return build(config, manager, seed, weights);
        }
    }

    /** A randomly initialised model (the same seed gives the same weights). */
    public static RobertaForTokenClassification fromConfig(RobertaConfig config, NDManager manager, long seed) {
        return build(config, manager, seed, null);
    }

    private static RobertaForTokenClassification build(RobertaConfig config, NDManager parent, long seed,
            PretrainedWeights weights) {
        return ParameterFactory.build(parent, seed, config.initializerRange(), weights,
                (manager, params) -> new RobertaForTokenClassification(config, manager, params));
    }

    @Override
    public RobertaConfig config() {
        return config;
    }

    /** int64 (B, T) inputs; float32 logits (B, T, numLabels). */
    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, tokenTypeIds, attentionMask, training, UnaryOperator.identity());
    }

    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = roberta.forward(inputIds, tokenTypeIds, attentionMask, training, weights);
        NDArray x = BertModel.dropout(hidden, config.classifierDropoutProb(), training);
        NDArray logits = Linear.linear(x, weights.apply(classifierWeight), weights.apply(classifierBias)).singletonOrThrow();
        return AutogradCast.to(logits, DataType.FLOAT32);
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
        config.write(dir.resolve("config.json"), config.architecture(HEAD));
        SafetensorsWriter.write(dir.resolve(PretrainedWeights.WEIGHTS_FILE), parameters);
    }

    @Override
    public void close() {
        roberta.close();
    }
}
