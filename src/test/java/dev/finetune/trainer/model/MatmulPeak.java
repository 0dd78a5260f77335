package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The machine's float32 GEMM peak two ways: through the libtorch DJL loaded (whatever BLAS is inside it) and through
 * OpenBLAS's cblas_sgemm called directly (bytedeco's build, the same one the OpenBLAS libtorch links), with as many
 * threads as libtorch's intra-op pool. Run with bench/gemm.sh; ModelStepBenchmark uses it for its peak.
 */
public final class MatmulPeak {
    private MatmulPeak() {}

    /**
     * Which BLAS the loaded libtorch multiplies with: DJL's stock build has MKL linked into libtorch_cpu.so; an
     * OpenBLAS build (bytedeco's, given with PYTORCH_LIBRARY_PATH) has libopenblas.so.0 beside it.
     */
    public static String libtorchBlas() {
        Path dir = Path.of(LibUtils.getLibtorchPath());
        return Files.exists(dir.resolve("libopenblas.so.0")) ? "OpenBLAS, " + dir : "MKL, " + dir;
    }

    /** Best-of-n FLOP/s of an n x n float32 matmul through DJL's libtorch. */
    public static double djl(int n, int iterations) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < iterations + 2; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    a.tempAttach(scope);
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.getFloat(0, 0); // wait for the result
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (i >= 2) {
                        best = Math.min(best, seconds);
                    }
                }
            }
            return 2.0 * n * n * n / best;
        }
    }

    /** Best-of-n FLOP/s of the same matmul through OpenBLAS's cblas_sgemm on native memory. */
    public static double openBlas(int n, int iterations) {
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(JniUtils.getNumThreads());
        Random random = new Random(42);
        float[] values = new float[n * n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (FloatPointer a = new FloatPointer(values); FloatPointer b = new FloatPointer(values);
                FloatPointer c = new FloatPointer((long) n * n)) {
            double best = Double.MAX_VALUE;
            for (int i = 0; i < iterations + 2; i++) {
                long t0 = System.nanoTime();
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                        openblas_nolapack.CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (i >= 2) {
                    best = Math.min(best, seconds);
                }
            }
            return 2.0 * n * n * n / best;
        }
    }

    /**
     * Alternates the two, ROUNDS times (default 5), so that other work on a shared machine weighs on both alike, and
     * prints each round and the median ratio.
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("libtorch %s (%s), %d intra-op threads; OpenBLAS %s direct, cores %d%n",
                ai.djl.engine.Engine.getInstance().getVersion(), libtorchBlas(), JniUtils.getNumThreads(),
                openblas_nolapack.OPENBLAS_VERSION.trim(), Runtime.getRuntime().availableProcessors());
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double torch = djl(n, 5);
            double blas = openBlas(n, 5);
            ratio[r] = torch / blas;
            System.out.printf("round %d: %dx%d float32 matmul through libtorch %.1f GFLOP/s, OpenBLAS cblas_sgemm %.1f GFLOP/s%n",
                    r + 1, n, n, torch / 1e9, blas / 1e9);
        }
        Arrays.sort(ratio);
        System.out.printf("libtorch (%s) / OpenBLAS direct: median %.2f%n", libtorchBlas(), ratio[rounds / 2]);
    }
}
