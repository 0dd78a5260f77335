package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import java.util.function.UnaryOperator;

/**
 * The sequence head that RoBERTa, XLM-RoBERTa, MPNet (RobertaClassificationHead, MPNetClassificationHead; tanh) and
 * ELECTRA (ElectraClassificationHead; gelu) share: on the first token's vector ({@code <s>} / [CLS]) dropout,
 * {@code classifier.dense}, the activation, dropout, {@code classifier.out_proj}. No pooler: it is its own.
 */
public final class FirstTokenClassificationHead {
    /** transformers' attribute name of the head in every family that has this one. */
    public static final String PREFIX = "classifier.";

    private final UnaryOperator<NDArray> activation;
    private final float dropoutProb;
    private final NDArray denseWeight;
    private final NDArray denseBias;
    private final NDArray outProjWeight;
    private final NDArray outProjBias;

    /**
     * @param activation what follows {@code dense}: {@code NDArray::tanh} or {@code HiddenActivation.GELU::apply}
     * @param dropoutProb the family's classifier dropout (classifier_dropout, else hidden_dropout_prob)
     */
    public FirstTokenClassificationHead(ParameterFactory params, int hiddenSize, int numLabels,
            UnaryOperator<NDArray> activation, float dropoutProb) {
        this.activation = activation;
        this.dropoutProb = dropoutProb;
        denseWeight = params.linearWeight(PREFIX + "dense.weight", hiddenSize, hiddenSize);
        denseBias = params.bias(PREFIX + "dense.bias", hiddenSize);
        outProjWeight = params.linearWeight(PREFIX + "out_proj.weight", numLabels, hiddenSize);
        outProjBias = params.bias(PREFIX + "out_proj.bias", numLabels);
    }

    /** (B, T, hidden) encoder output -> (B, numLabels) logits, in the activations' dtype. */
    public NDArray forward(NDArray lastHiddenState, boolean training, UnaryOperator<NDArray> w) {
        NDArray x = BertModel.dropout(lastHiddenState.get(new NDIndex(":, 0")), dropoutProb, training);
        x = activation.apply(Linear.linear(x, w.apply(denseWeight), w.apply(denseBias)).singletonOrThrow());
        x = BertModel.dropout(x, dropoutProb, training);
        return Linear.linear(x, w.apply(outProjWeight), w.apply(outProjBias)).singletonOrThrow();
    }
}
