package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch's AdamW step for all parameters at once, for a GPU: the moments live in two flat buffers (the
 * per-parameter moments that checkpoints save are views into them), each step concatenates the gradients
 * and the parameters into flat arrays and does the arithmetic in about twenty kernels over all of them,
 * then subtracts each parameter's slice of the update and zeroes its gradient (two small kernels per
 * parameter: DJL's JNI can neither make a parameter a view of a flat buffer nor call torch's _foreach
 * ops). The per-tensor libtorch update takes about fourteen kernels per parameter. On the CPU the
 * one-pass {@link CpuAdamWKernel} is faster; this path runs there only in tests, against it.
 *
 * <p>Arithmetic as torch, in float32: {@code m = lerp(m, g, 1-b1); v = v*b2 + (1-b2)*g*g;
 * p -= p*lr*wd + lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)} (the decay and the step folded into one
 * subtraction, so the rounding differs from torch's two in-place ops by an ulp or so).
 */
final class FlatAdamWKernel implements AutoCloseable {
    private final List<String> names;
    private final List<NDArray> parameters;
    private final NDManager manager;
    private final NDArray expAvg;
    private final NDArray expAvgSq;
    /** 1 for elements of parameters with weight decay, 0 for biases and LayerNorm weights. */
    private final NDArray decayMask;
    private final LinkedHashMap<String, NDArray> expAvgViews = new LinkedHashMap<>();
    private final LinkedHashMap<String, NDArray> expAvgSqViews = new LinkedHashMap<>();

    /** {@code parameters}: all of the same float dtype and device. */
    FlatAdamWKernel(LinkedHashMap<String, NDArray> parameters, NDManager manager) {
        this.names = new ArrayList<>(parameters.keySet());
        this.parameters = new ArrayList<>(parameters.values());
        this.manager = manager.newSubManager();
        long total = 0;
        float[] mask;
        for (NDArray p : this.parameters) {
            total += p.size();
        }
        mask = new float[Math.toIntExact(total)];
        NDArray first = this.parameters.get(0);
        expAvg = this.manager.zeros(new ai.djl.ndarray.types.Shape(total), first.getDataType(), first.getDevice());
        expAvgSq = this.manager.zeros(new ai.djl.ndarray.types.Shape(total), first.getDataType(), first.getDevice());
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            NDArray p = this.parameters.get(i);
            long end = offset + p.size();
            if (AdamW.decays(names.get(i))) {
                java.util.Arrays.fill(mask, (int) offset, (int) end, 1f);
            }
            NDIndex slice = new NDIndex(offset + ":" + end);
            expAvgViews.put(names.get(i), expAvg.get(slice).reshape(p.getShape()));
            expAvgSqViews.put(names.get(i), expAvgSq.get(slice).reshape(p.getShape()));
            offset = end;
        }
        decayMask = this.manager.create(mask).toDevice(first.getDevice(), false).toType(first.getDataType(), false);
    }

    /** The first moment of {@code name}: a view into the flat buffer, so writes to it are the optimiser's state. */
    NDArray expAvg(String name) {
        return expAvgViews.get(name);
    }

    NDArray expAvgSq(String name) {
        return expAvgSqViews.get(name);
    }

    /**
     * One update of every parameter; {@code gradients} must hold one for each (the Trainer's all have one),
     * otherwise the caller uses the per-tensor path. Nothing is read back to the host.
     */
    void update(Map<String, NDArray> gradients, float gradScale, float oneMinusBeta1, float beta2, float oneMinusBeta2,
            float stepSize, float bc2Sqrt, float epsilon, float learningRateTimesDecay) {
        try (NDManager step = manager.newSubManager()) {
            NDList flatGradients = new NDList(names.size());
            NDList flatParameters = new NDList(names.size());
            for (int i = 0; i < names.size(); i++) {
                NDArray g = gradients.get(names.get(i));
                if (g == null) {
                    throw new IllegalArgumentException("no gradient for " + names.get(i));
                }
                flatGradients.add(g.reshape(-1));
                flatParameters.add(parameters.get(i).stopGradient().reshape(-1));
            }
            flatGradients.forEach(a -> a.attach(step));
            flatParameters.forEach(a -> a.attach(step));
            NDArray g = NDArrays.concat(flatGradients);
            g.attach(step);
            if (gradScale != 1f) {
                g.muli(gradScale);
            }
            expAvg.addi(g.sub(expAvg).muli(oneMinusBeta1));
            expAvgSq.muli(beta2).addi(g.mul(g).muli(oneMinusBeta2));
            NDArray p = NDArrays.concat(flatParameters);
            p.attach(step);
            NDArray denominator = expAvgSq.sqrt().divi(bc2Sqrt).addi(epsilon);
            denominator.attach(step);
            NDArray delta = expAvg.div(denominator).muli(stepSize);
            delta.attach(step);
            if (learningRateTimesDecay != 0f) {
                delta.addi(p.mul(decayMask).muli(learningRateTimesDecay));
            }
            long offset = 0;
            for (int i = 0; i < names.size(); i++) {
                NDArray parameter = parameters.get(i);
                long end = offset + parameter.size();
                NDArray slice = delta.get(new NDIndex(offset + ":" + end)).reshape(parameter.getShape());
                parameter.subi(slice);
                NDArray gradient = gradients.get(names.get(i));
                gradient.subi(gradient);
                offset = end;
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
