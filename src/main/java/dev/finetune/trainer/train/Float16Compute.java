package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * fp16 with float32 master weights: for each forward pass every parameter except the LayerNorm ones gets a
 * float16 copy that autograd treats as a leaf (DJL's toType detaches, so a cast cannot sit inside the
 * graph); after the backward pass each copy's float16 gradient is added, as float32, to its master's
 * gradient, where the optimiser finds it. LayerNorm keeps its float32 parameters: torch's LayerNorm takes
 * float16 input with float32 weights and computes its statistics in float32; the model turns the logits
 * into float32 for the loss.
 */
final class Float16Compute {
    private final Set<NDArray> float32Parameters = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<NDArray[]> copies = new ArrayList<>();

    Float16Compute(LinkedHashMap<String, NDArray> masters) {
        for (Map.Entry<String, NDArray> e : masters.entrySet()) {
            if (e.getKey().contains("LayerNorm")) {
                float32Parameters.add(e.getValue());
            }
        }
    }

    /** The parameters for one forward pass: float16 leaf copies made on first use, in {@code micro}. */
    UnaryOperator<NDArray> copiesIn(NDManager micro) {
        copies.clear();
        IdentityHashMap<NDArray, NDArray> made = new IdentityHashMap<>();
        return master -> {
            if (float32Parameters.contains(master) || master.getDataType() != DataType.FLOAT32) {
                return master;
            }
            return made.computeIfAbsent(master, m -> {
                NDArray half = m.toType(DataType.FLOAT16, true);
                half.attach(micro);
                half.setRequiresGradient(true);
                copies.add(new NDArray[] {m, half});
                return half;
            });
        };
    }

    /** After the backward pass: master.grad += float32(copy.grad), for the copies of the last forward pass. */
    void accumulateGradients(NDManager micro) {
        for (NDArray[] pair : copies) {
            NDArray halfGradient = pair[1].getGradient();
            NDArray masterGradient = pair[0].getGradient();
            halfGradient.attach(micro);
            masterGradient.attach(micro);
            NDArray asFloat = halfGradient.toType(DataType.FLOAT32, false);
            asFloat.attach(micro);
            masterGradient.addi(asFloat);
        }
        copies.clear();
    }
}
