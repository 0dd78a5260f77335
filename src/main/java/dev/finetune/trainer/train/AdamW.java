package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * torch.optim.AdamW over named parameters, with the two groups the Hugging Face Trainer makes (no weight
 * decay for biases and LayerNorm weights). It owns its state — first and second moments per parameter
 * and the step count — so a checkpoint can save it and a resume can restore it exactly; DJL's own AdamW
 * hides that state.
 *
 * <p>Speed: on CPU the update is one pass over memory ({@link CpuAdamWKernel}: reads p, g, m, v once,
 * writes p, m, v and the zeroed gradient, in parallel chunks, through buffers that alias libtorch's
 * tensors). DJL's native {@code adamUpdate} needs about a dozen full passes and four temporaries per
 * parameter and measured 10x slower here (bench/optimizer-step.sh). On other devices that native kernel
 * is used, with the bias correction folded in so that it computes torch's update.
 *
 * <p>On a GPU the update of all parameters runs as one flat computation ({@link FlatAdamWKernel}: a few
 * kernels in all instead of a dozen per parameter). The choice is made once, from the parameters' device
 * ({@link Kernel#forDevice}); tests force each kernel on the CPU to compare them.
 */
public final class AdamW implements AutoCloseable {
    /** How the update is computed. */
    enum Kernel {
        /** {@link CpuAdamWKernel} for contiguous float32 CPU tensors, libtorch's per-tensor kernel for the rest. */
        CPU_ONE_PASS,
        /** {@link FlatAdamWKernel}: all parameters together, for a GPU. */
        FLAT,
        /** DJL's native adamUpdate per tensor (what other devices got before; kept for comparison). */
        PER_TENSOR;

        /** The CPU's one-pass kernel on the CPU; the flat kernel anywhere else. */
        static Kernel forDevice(ai.djl.Device device) {
            return ai.djl.Device.Type.CPU.equals(device.getDeviceType()) ? CPU_ONE_PASS : FLAT;
        }
    }

    private final LinkedHashMap<String, NDArray> parameters;
    private final LinkedHashMap<String, NDArray> expAvg = new LinkedHashMap<>();
    private final LinkedHashMap<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final NDManager stateManager;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    /** Parameters whose memory the CPU kernel can write in place (contiguous, checked once). */
    private final Set<String> cpuKernelParameters = new HashSet<>();
    private final Kernel kernel;
    private final FlatAdamWKernel flat;
    private long step;

    public AdamW(LinkedHashMap<String, NDArray> parameters, double beta1, double beta2, double epsilon,
            double weightDecay) {
        this(parameters, beta1, beta2, epsilon, weightDecay,
                Kernel.forDevice(parameters.values().iterator().next().getDevice()));
    }

    /** {@code useCpuKernel} false forces DJL's native kernel everywhere (tests compare both). */
    AdamW(LinkedHashMap<String, NDArray> parameters, double beta1, double beta2, double epsilon, double weightDecay,
            boolean useCpuKernel) {
        this(parameters, beta1, beta2, epsilon, weightDecay, useCpuKernel ? Kernel.CPU_ONE_PASS : Kernel.PER_TENSOR);
    }

    AdamW(LinkedHashMap<String, NDArray> parameters, double beta1, double beta2, double epsilon, double weightDecay,
            Kernel kernel) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("AdamW needs at least one parameter");
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
            throw new IllegalArgumentException("adamBeta1 and adamBeta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (epsilon < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("adamEpsilon and weightDecay must be >= 0");
        }
        this.parameters = new LinkedHashMap<>(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.stateManager = parameters.values().iterator().next().getManager().newSubManager();
        this.kernel = kernel;
        if (kernel == Kernel.FLAT) {
            flat = new FlatAdamWKernel(this.parameters, stateManager);
            for (String name : parameters.keySet()) {
                expAvg.put(name, flat.expAvg(name));
                expAvgSq.put(name, flat.expAvgSq(name));
            }
            return;
        }
        flat = null;
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            if (kernel == Kernel.CPU_ONE_PASS && CpuAdamWKernel.aliases(e.getValue())) {
                cpuKernelParameters.add(e.getKey());
            }
            expAvg.put(e.getKey(), stateManager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            expAvgSq.put(e.getKey(), stateManager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
    }

    /** With adamBeta1, adamBeta2, adamEpsilon and weightDecay from the job's TrainingSpec. */
    public static AdamW of(LinkedHashMap<String, NDArray> parameters, TrainingSpec spec) {
        return new AdamW(parameters, orDefault(spec.adamBeta1, 0.9), orDefault(spec.adamBeta2, 0.999),
                orDefault(spec.adamEpsilon, 1e-8), orDefault(spec.weightDecay, 0.0));
    }

    private static double orDefault(Double value, double fallback) {
        return value == null ? fallback : value;
    }

    /**
     * The Hugging Face Trainer's grouping: no weight decay for LayerNorm parameters (also those named
     * {@code layer_norm}, as DistilBERT's and ALBERT's are) nor for any parameter with "bias" anywhere in its name
     * (so also MPNet's {@code relative_attention_bias.weight}, as the Trainer does).
     */
    public static boolean decays(String parameterName) {
        return !(parameterName.contains("bias") || parameterName.contains("LayerNorm")
                || parameterName.contains("layer_norm"));
    }

    /**
     * One update of every parameter that has a gradient in {@code gradients}, at learning rate
     * {@code learningRate}, with the gradients multiplied by {@code gradScale} first (the clipping factor;
     * 1 for none). Parameters without a gradient are left alone, as torch skips {@code grad is None}.
     */
    public void step(Map<String, NDArray> gradients, double learningRate, double gradScale) {
        step++;
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, step));
        if (flat != null && gradients.keySet().containsAll(parameters.keySet())) {
            flat.update(gradients, (float) gradScale, (float) (1.0 - beta1), (float) beta2, (float) (1.0 - beta2),
                    (float) (learningRate / bc1), (float) bc2Sqrt, (float) epsilon, (float) (learningRate * weightDecay));
            return;
        }
        List<CpuAdamWKernel.Tensors> onCpu = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray gradient = gradients.get(e.getKey());
            if (gradient == null) {
                continue;
            }
            NDArray parameter = e.getValue();
            double decay = decays(e.getKey()) ? weightDecay : 0.0;
            NDArray m = expAvg.get(e.getKey());
            NDArray v = expAvgSq.get(e.getKey());
            if (cpuKernelParameters.contains(e.getKey()) && CpuAdamWKernel.supports(parameter, gradient)) {
                onCpu.add(new CpuAdamWKernel.Tensors(parameter, gradient, m, v, (float) (1.0 - learningRate * decay)));
            } else {
                libtorchUpdate(parameter, gradient, m, v, learningRate, decay, gradScale, bc1, bc2Sqrt);
            }
        }
        CpuAdamWKernel.update(onCpu, (float) gradScale, (float) (1.0 - beta1), (float) beta2, (float) (1.0 - beta2),
                (float) (learningRate / bc1), (float) bc2Sqrt, (float) epsilon);
    }

    /**
     * DJL's native kernel computes {@code p -= lrc * m / (sqrt(v) + eps')}; torch's
     * {@code p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)} is that with {@code lrc = lr*sqrt(bc2)/bc1} and
     * {@code eps' = eps*sqrt(bc2)}. Decoupled decay {@code p -= lr*wd*p} uses the plain rate, and the
     * clipping factor rides along as its {@code rescale_grad}. The kernel forms 1 - beta2 from a float
     * beta2, so its early steps differ from torch's by up to ~1e-5 relative (used only off the CPU).
     */
    private void libtorchUpdate(NDArray parameter, NDArray gradient, NDArray m, NDArray v, double learningRate,
            double decay, double gradScale, double bc1, double bc2Sqrt) {
        // clip_grad -1 turns the kernel's per-element clamp off; lazy_update is unused by PyTorch.
        // The second list names the parameter whose gradient the kernel zeroes afterwards.
        parameter.getNDArrayInternal().adamUpdate(new NDList(parameter, gradient, m, v), new NDList(parameter),
                (float) learningRate, (float) (learningRate * bc2Sqrt / bc1), (float) decay, (float) gradScale, -1f,
                (float) beta1, (float) beta2, (float) (epsilon * bc2Sqrt), false, true);
    }

    /** Which kernel computes the update (the device's choice unless a test forced one). */
    Kernel kernel() {
        return kernel;
    }

    /** Updates done so far (torch's per-parameter {@code step}, the same for all parameters here). */
    public long stepCount() {
        return step;
    }

    /**
     * The moments as {@code <parameter>.exp_avg} and {@code <parameter>.exp_avg_sq}, in parameter order.
     * These are the live arrays: a checkpoint writes them before the next step changes them.
     */
    public LinkedHashMap<String, NDArray> state() {
        LinkedHashMap<String, NDArray> state = new LinkedHashMap<>();
        for (String name : parameters.keySet()) {
            state.put(name + ".exp_avg", expAvg.get(name));
            state.put(name + ".exp_avg_sq", expAvgSq.get(name));
        }
        return state;
    }

    /** Restores moments saved by {@link #state()} and the step count; names and shapes must match. */
    public void load(Map<String, NDArray> state, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("optimizer step count must be >= 0, got " + stepCount);
        }
        Map<String, NDArray> mine = state();
        for (Map.Entry<String, NDArray> e : mine.entrySet()) {
            NDArray saved = state.get(e.getKey());
            if (saved == null) {
                throw new IllegalArgumentException("optimizer state lacks '" + e.getKey() + "'");
            }
            if (!saved.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' has shape "
                        + saved.getShape() + ", the parameter has " + e.getValue().getShape());
            }
            // In place: the moments may be views into the flat buffers (set(Buffer) would not write through), and
            // DJL runs set(Buffer) under libtorch's deprecated AutoNonVariableTypeMode, which warns on every resume.
            NDArray moment = e.getValue();
            moment.muli(0f).addi(saved.toType(moment.getDataType(), false).toDevice(moment.getDevice(), false));
        }
        for (String name : state.keySet()) {
            if (!mine.containsKey(name)) {
                throw new IllegalArgumentException("optimizer state has '" + name + "', which is no parameter of this model");
            }
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
