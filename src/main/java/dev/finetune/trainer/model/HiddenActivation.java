package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The feed-forward activations of transformers' ACT2FN that BERT checkpoints use. */
public enum HiddenActivation {
    /** Exact GELU, x * Phi(x) with erf (torch's default, transformers' "gelu"). */
    GELU("gelu"),
    /** The tanh approximation of GELU that GPT-2 and some BERTs use ("gelu_new"). */
    GELU_NEW("gelu_new"),
    RELU("relu");

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private final String configName;

    HiddenActivation(String configName) {
        this.configName = configName;
    }

    /** The name as config.json writes it. */
    public String configName() {
        return configName;
    }

    public static HiddenActivation fromConfigName(String name) {
        for (HiddenActivation activation : values()) {
            if (activation.configName.equals(name)) {
                return activation;
            }
        }
        throw new IllegalArgumentException(
                "unsupported hidden_act \"" + name + "\" (supported: "
                        + Arrays.stream(values()).map(HiddenActivation::configName).collect(Collectors.joining(", "))
                        + ")");
    }

    public NDArray apply(NDArray x) {
        switch (this) {
            case GELU:
                return Activation.gelu(x);
            case GELU_NEW:
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as transformers' NewGELUActivation.
                // Not in place: autograd keeps tanh's output for the backward pass.
                // Scalars as arrays of x's manager: a mul(float) scalar is freed (on GC) while autograd still needs it.
                NDManager m = x.getManager();
                NDArray inner = x.pow(m.create(3f)).mul(m.create(0.044715f)).add(x).mul(m.create((float) SQRT_2_OVER_PI));
                return inner.tanh().add(1f).mul(x).mul(m.create(0.5f));
            case RELU:
                return Activation.relu(x);
            default:
                throw new AssertionError(this);
        }
    }
}
