package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * torch's single-tensor AdamW step in one pass over memory, for float32 tensors in CPU memory: the
 * parameter, gradient and both moments are read through direct buffers that alias libtorch's storage,
 * updated in cache-sized chunks (copied to Java arrays so the JIT vectorises the arithmetic) and written
 * back, chunks spread over the common fork-join pool. The arithmetic follows torch's op order in float:
 * {@code p *= 1 - lr*wd; m = lerp(m, g, 1-b1); v = v*b2 + (1-b2)*g*g; p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)};
 * the gradient is zeroed in the same pass.
 */
final class CpuAdamWKernel {
    private static final int CHUNK = 8192;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    /** One parameter's arrays and its decay factor 1 - lr*wd. */
    record Tensors(NDArray parameter, NDArray gradient, NDArray expAvg, NDArray expAvgSq, float decayFactor) {}

    private record Chunk(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, float decayFactor, int start, int length) {}

    private CpuAdamWKernel() {}

    /** Float32, dense, in CPU memory. */
    static boolean supports(NDArray parameter, NDArray gradient) {
        return isCpu(parameter) && isCpu(gradient)
                && parameter.getDataType() == DataType.FLOAT32 && gradient.getDataType() == DataType.FLOAT32
                && !parameter.isSparse() && !gradient.isSparse();
    }

    /**
     * Whether writes through {@code array}'s direct buffer reach the tensor: true for a contiguous tensor;
     * for a strided one DJL hands out a fresh contiguous copy each time, which two buffers reveal. (A
     * gradient takes its parameter's layout, so checking the parameter covers both.)
     */
    static boolean aliases(NDArray array) {
        FloatBuffer first = floats(array);
        if (first.capacity() == 0) {
            return true;
        }
        FloatBuffer second = floats(array);
        float original = first.get(0);
        float probe = original == 1f ? 2f : 1f;
        first.put(0, probe);
        boolean same = second.get(0) == probe;
        first.put(0, original);
        return same;
    }

    private static boolean isCpu(NDArray array) {
        return ai.djl.Device.Type.CPU.equals(array.getDevice().getDeviceType());
    }

    /**
     * {@code 1 - beta1} and {@code 1 - beta2} come in computed in double, as torch computes its Python
     * scalars before handing them to float kernels (in float, 1 - 0.999f is off by 1e-5 relative).
     */
    static void update(List<Tensors> tensors, float gradScale, float oneMinusBeta1, float beta2, float oneMinusBeta2,
            float stepSize, float bc2Sqrt, float epsilon) {
        List<Chunk> chunks = new ArrayList<>();
        for (Tensors t : tensors) {
            FloatBuffer p = floats(t.parameter());
            FloatBuffer g = floats(t.gradient());
            FloatBuffer m = floats(t.expAvg());
            FloatBuffer v = floats(t.expAvgSq());
            int n = p.capacity();
            if (g.capacity() != n || m.capacity() != n || v.capacity() != n) {
                throw new IllegalStateException("parameter, gradient and moments differ in size: " + t.parameter().getShape()
                        + " vs " + t.gradient().getShape());
            }
            for (int start = 0; start < n; start += CHUNK) {
                chunks.add(new Chunk(p, g, m, v, t.decayFactor(), start, Math.min(CHUNK, n - start)));
            }
        }
        float lerpWeight = oneMinusBeta1;
        chunks.parallelStream().forEach(c -> {
            float[][] scratch = SCRATCH.get();
            float[] p = scratch[0];
            float[] g = scratch[1];
            float[] m = scratch[2];
            float[] v = scratch[3];
            int n = c.length();
            c.p().get(c.start(), p, 0, n);
            c.g().get(c.start(), g, 0, n);
            c.m().get(c.start(), m, 0, n);
            c.v().get(c.start(), v, 0, n);
            float decay = c.decayFactor();
            for (int i = 0; i < n; i++) {
                float grad = g[i] * gradScale;
                float mi = m[i] + lerpWeight * (grad - m[i]);
                float vi = v[i] * beta2 + oneMinusBeta2 * grad * grad;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + epsilon;
                p[i] = p[i] * decay - stepSize * (mi / denom);
                m[i] = mi;
                v[i] = vi;
                g[i] = 0f;
            }
            c.p().put(c.start(), p, 0, n);
            c.g().put(c.start(), g, 0, n);
            c.m().put(c.start(), m, 0, n);
            c.v().put(c.start(), v, 0, n);
        });
    }

    private static FloatBuffer floats(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
