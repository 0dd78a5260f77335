package dev.finetune.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;

/**
 * What the loop needs from a model: the methods of {@code dev.finetune.trainer.model.BertForSequenceClassification}
 * with the same signatures, so that class can implement this interface (or be wrapped in one line) and
 * tests can train a tiny model.
 */
public interface SequenceClassifier {
    /** int64 (B, T) inputs; returns float32 logits (B, numLabels). Dropout only when {@code training}. */
    NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training);

    /**
     * fp16: the forward pass in float16 on casts of the float32 weights (LayerNorm and softmax in float32),
     * float32 logits, gradients on the float32 weights. Models without it cannot train with fp16.
     */
    default NDArray forwardFloat16(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        throw new IllegalArgumentException("spec.training.fp16: this model has no float16 forward pass");
    }

    /** Hugging Face names -> the live parameter arrays used by forward, with gradients attached. */
    LinkedHashMap<String, NDArray> namedParameters();

    /** Where the weights live: batches are made there too (the engine's default device for a model without any). */
    default Device device() {
        LinkedHashMap<String, NDArray> parameters = namedParameters();
        return parameters.isEmpty() ? Engine.getInstance().defaultDevice() : parameters.values().iterator().next().getDevice();
    }
}
