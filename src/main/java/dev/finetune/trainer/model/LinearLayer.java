package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.function.UnaryOperator;

/** A torch Linear's parameters under one prefix ("classifier." -> classifier.weight, classifier.bias). */
public record LinearLayer(NDArray weight, NDArray bias) {
    /** Makes the (out, in) weight, then the bias: a torch Linear's state_dict order. */
    public static LinearLayer create(ParameterFactory params, String prefix, long out, long in) {
        NDArray weight = params.linearWeight(prefix + "weight", out, in);
        return new LinearLayer(weight, params.bias(prefix + "bias", out));
    }

    /** {@code x} times the weight transposed plus the bias, each parameter replaced by {@code weights.apply}. */
    public NDArray forward(NDArray x, UnaryOperator<NDArray> weights) {
        return Linear.linear(x, weights.apply(weight), weights.apply(bias)).singletonOrThrow();
    }
}
