package dev.finetune.trainer.model;


import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.train.AdamW;
import dev.finetune.trainer.train.GradientClipper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training-step speed of a bert-base-sized model (hidden 768, 12 layers, 12 heads, 3072) at batch 8 x 64 tokens,
 * random init, against the float32 matmul peak measured in the same run. Run with bench/model-step.sh (surefire skips
 * it: not a *Test). Model FLOPs = 6 x non-embedding params x tokens + 12 x layers x B x T^2 x hidden.
 */
public final class ModelStepBenchmark {
    private static final String BERT_BASE = "{\"vocab_size\": 30522, \"hidden_size\": 768, \"num_hidden_layers\": 12,"
            + " \"num_attention_heads\": 12, \"intermediate_size\": 3072, \"max_position_embeddings\": 512}";

    /** bert-base by default; a config.json path as the 4th argument benchmarks that model's shape instead. */
    private static BertConfig config(String[] args) throws java.io.IOException {
        return args.length > 3 ? BertConfig.read(java.nio.file.Path.of(args[3])).withLabels(2, null)
                : BertConfig.parse(BERT_BASE, "bert-base config");
    }

    public static void main(String[] args) throws Exception {
        int batch = intArg(args, 0, 8);
        int length = intArg(args, 1, 64);
        int steps = intArg(args, 2, 6);
        System.out.printf("DJL %s, engine %s, intra-op threads %d, inter-op threads %d, cores %d%n",
                Engine.getDjlVersion(), Engine.getInstance().getEngineName(), JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Runtime.getRuntime().availableProcessors());
        double peakBefore = matmulPeak(2048, 10);
        double openBlasBefore = MatmulPeak.openBlas(2048, 10);
        System.out.printf("matmul 2048x2048 float32: %.1f GFLOP/s through libtorch (%s), %.1f GFLOP/s OpenBLAS direct%n",
                peakBefore / 1e9, MatmulPeak.libtorchBlas(), openBlasBefore / 1e9);

        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(
                        config(args), manager, 42)) {
            BertConfig config = model.config();
            long nonEmbedding = 0;
            long all = 0;
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                all += e.getValue().size();
                if (!e.getKey().contains(".embeddings.")) {
                    nonEmbedding += e.getValue().size();
                }
            }
            long tokens = (long) batch * length;
            double flops = 6.0 * nonEmbedding * tokens
                    + 12.0 * config.numHiddenLayers() * batch * (double) length * length * config.hiddenSize();
            System.out.printf("model: %,d parameters, %,d outside the embeddings; batch %d x %d tokens; %.1f GFLOP per step%n",
                    all, nonEmbedding, batch, length, flops / 1e9);

            // The loop's own optimiser step: global gradient norm, clipping scale, AdamW with HF decay groups.
            TrainingSpec spec = new TrainingSpec();
            spec.weightDecay = 0.01;
            AdamW optimizer = AdamW.of(model.namedParameters(), spec);
            double[] forward = new double[steps];
            double[] forwardBackward = new double[steps];
            double[] update = new double[steps];
            double[] adjacentPeak = new double[steps];
            double[] cpu = new double[steps];
            String profile = System.getProperty("bench.profile"); // a trace file: one more step, profiled per op
            List<OpProfile.Row> ops = null;
            for (int s = -2; s < steps + (profile == null ? 0 : 1); s++) { // two warm-up steps
                try (NDManager step = manager.newSubManager()) {
                    NDArray ids = step.randomInteger(1, config.vocabSize(), new Shape(batch, length), DataType.INT64);
                    NDArray types = step.zeros(new Shape(batch, length), DataType.INT64);
                    NDArray mask = step.ones(new Shape(batch, length), DataType.INT64);
                    NDArray labels = step.randomInteger(0, 2, new Shape(batch, 1), DataType.INT64);
                    // Other work shares this machine's cores: a matmul timed next to each step is its fairest peak.
                    double peakNow = matmulPeak(2048, 2);
                    if (s == steps) {
                        OpProfile.start();
                    }
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    long tf;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        Engine.getInstance().setRandomSeed(1000 + s);
                        NDArray logits = model.forward(ids, types, mask, true);
                        NDArray loss = logits.logSoftmax(-1).gather(labels, 1).neg().mean();
                        loss.getFloat(); // forward done
                        tf = System.nanoTime();
                        collector.backward(loss);
                    }
                    long t1 = System.nanoTime();
                    Map<String, NDArray> gradients = new LinkedHashMap<>();
                    for (Map.Entry<String, NDArray> p : model.namedParameters().entrySet()) {
                        NDArray grad = p.getValue().getGradient();
                        grad.attach(step);
                        gradients.put(p.getKey(), grad);
                    }
                    double norm = GradientClipper.globalNorm(gradients.values());
                    optimizer.step(gradients, 5e-5, GradientClipper.scale(norm, 1.0)); // also zeroes the gradients
                    long t2 = System.nanoTime();
                    long c2 = processCpuNanos();
                    if (s == steps) {
                        ops = OpProfile.stop(Path.of(profile));
                    } else if (s >= 0) {
                        forward[s] = (tf - t0) / 1e9;
                        adjacentPeak[s] = peakNow;
                        forwardBackward[s] = (t1 - t0) / 1e9;
                        update[s] = (t2 - t1) / 1e9;
                        cpu[s] = (c2 - c0) / 1e9;
                    }
                }
            }
            double peakAfter = matmulPeak(2048, 10);
            double peak = Math.max(peakBefore, peakAfter);
            double openBlasPeak = Math.max(openBlasBefore, MatmulPeak.openBlas(2048, 10));
            double[] stepRatio = new double[steps];
            for (int s = 0; s < steps; s++) {
                stepRatio[s] = flops / (forwardBackward[s] + update[s]) / adjacentPeak[s];
            }
            System.out.printf("forward %s s; forward+backward %s s; grad norm + AdamW %s s%n",
                    format(forward), format(forwardBackward), format(update));
            double fb = min(forwardBackward);
            double whole = min(sum(forwardBackward, update));
            System.out.printf("best forward+backward: %.3f s, %.1f GFLOP/s = %.0f%% of the best matmul (%.1f GFLOP/s)%n",
                    fb, flops / fb / 1e9, 100 * flops / fb / peak, peak / 1e9);
            System.out.printf("best whole step: %.3f s, %.1f samples/s, %.1f GFLOP/s = %.0f%% of the best matmul%n",
                    whole, batch / whole, flops / whole / 1e9, 100 * flops / whole / peak);
            // CPU seconds, unlike wall seconds, do not grow when other machines' work takes the cores (steal time):
            // the fairer figure to compare two builds by on a shared host (spinning threads count, though).
            System.out.printf("whole step CPU time (all threads): median %.3f s (each: %s)%n", median(cpu), format(cpu));
            System.out.printf("whole step against the matmul timed beside it: median %.0f%% (each: %s)%n",
                    100 * median(stepRatio), format(stepRatio));
            System.out.printf("matmul peak: %.1f GFLOP/s before, %.1f after the model%n", peakBefore / 1e9, peakAfter / 1e9);
            // The step against the best GEMM this machine has, whichever library gives it (MKL runs AVX2 on AMD).
            boolean openBlasBest = openBlasPeak > peak;
            double best = Math.max(peak, openBlasPeak);
            System.out.printf("best GEMM on this machine: %.1f GFLOP/s (%s); best whole step = %.0f%% of it%n",
                    best / 1e9, openBlasBest ? "OpenBLAS direct" : "libtorch, " + MatmulPeak.libtorchBlas(),
                    100 * flops / whole / best);
            if (ops != null) {
                OpProfile.print(ops, Integer.getInteger("bench.profile.top", 30));
            }
        }
    }

    private static double matmulPeak(int n, int iterations) {
        return MatmulPeak.djl(n, iterations);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double[] sum(double[] a, double[] b) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%.2f", v));
        }
        return s.toString();
    }

    private static int intArg(String[] args, int index, int defaultValue) {
        return args.length > index ? Integer.parseInt(args[index]) : defaultValue;
    }
}
