package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * What every family's ForTokenClassification is besides its encoder: dropout and a linear "classifier" on every
 * token's hidden state (the same in all transformers' token-classification models), on {@link AbstractPretrainedModel}.
 * A family supplies the encoder's output and its classifier dropout.
 */
public abstract class AbstractTokenClassificationModel extends AbstractPretrainedModel
        implements TokenClassificationModel {
    /** What the class names of transformers' token classifiers end with (a checkpoint whose head this is). */
    protected static final String HEAD_SUFFIX = "ForTokenClassification";

    private final float dropoutProb;
    private final LinearLayer classifier;

    /**
     * Adds the head to the encoder's parameters, which {@code params} has made already (checkpoint and
     * initialisation order: encoder first).
     *
     * @param architecture transformers' class name, in the load report and the saved config.json
     * @param dropoutProb the family's dropout before the classifier
     */
    protected AbstractTokenClassificationModel(EncoderConfig config, String architecture, ParameterFactory params,
            float dropoutProb) {
        this(config, architecture, LinearLayer.create(params, CLASSIFIER_PREFIX, config.numLabels(),
                config.hiddenSize()), params, dropoutProb);
    }

    /** {@code classifier} before the super call, which takes the parameter list: the head is in it. */
    private AbstractTokenClassificationModel(EncoderConfig config, String architecture, LinearLayer classifier,
            ParameterFactory params, float dropoutProb) {
        super(config, architecture, params);
        this.dropoutProb = dropoutProb;
        this.classifier = classifier;
    }

    /** The encoder's (B, T, hidden) output, each parameter replaced by {@code weights.apply(parameter)}. */
    protected abstract NDArray lastHiddenState(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask,
            boolean training, UnaryOperator<NDArray> weights);

    @Override
    protected final NDArray logits(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training,
            UnaryOperator<NDArray> weights) {
        NDArray hidden = lastHiddenState(inputIds, tokenTypeIds, attentionMask, training, weights);
        return classifier.forward(BertModel.dropout(hidden, dropoutProb, training), weights);
    }
}
