package dev.finetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * Times the optimiser side of a training step on a bert-base-sized parameter set (about 110M floats):
 * the global gradient norm and the AdamW update, with our one-pass CPU kernel and with DJL's native
 * adamUpdate (the gradients are zeroed by the first update; the timing, not the values, is the point). Not a unit test (surefire does not run *Benchmark);
 * run it with bench/optimizer-step.sh.
 */
public final class AdamWBenchmark {
    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> params = bertBaseParameters(manager);
            Map<String, NDArray> grads = new LinkedHashMap<>();
            long count = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                grads.put(e.getKey(), manager.randomNormal(0f, 1e-3f, e.getValue().getShape(), e.getValue().getDataType()));
                count += e.getValue().getShape().size();
            }
            System.out.printf("parameters: %,d in %d tensors; libtorch intra-op threads %d, inter-op %d; "
                    + "Java kernel threads %d%n", count, params.size(), JniUtils.getNumThreads(),
                    JniUtils.getNumInteropThreads(), ForkJoinPool.getCommonPoolParallelism() + 1);
            System.out.println("engine: " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            try (AdamW cpu = new AdamW(params, 0.9, 0.999, 1e-8, 0.01, true);
                    AdamW libtorch = new AdamW(params, 0.9, 0.999, 1e-8, 0.01, false)) {
                for (int r = 0; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    double norm = GradientClipper.globalNorm(grads.values());
                    long t1 = System.nanoTime();
                    cpu.step(grads, 5e-5, GradientClipper.scale(norm, 1.0));
                    long t2 = System.nanoTime();
                    libtorch.step(grads, 5e-5, GradientClipper.scale(norm, 1.0));
                    long t3 = System.nanoTime();
                    System.out.printf("repeat %d: global grad norm %.0f ms; AdamW one-pass CPU kernel %.0f ms "
                            + "(%.1f GB/s moved); DJL native adamUpdate %.0f ms%n", r, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                            8.0 * 4 * count / ((t2 - t1) / 1e9) / 1e9, (t3 - t2) / 1e6);
                }
            }
        }
    }

    /** bert-base-uncased with a two-label classifier: names and shapes as transformers. */
    static LinkedHashMap<String, NDArray> bertBaseParameters(NDManager manager) {
        int hidden = 768;
        int intermediate = 3072;
        LinkedHashMap<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("bert.embeddings.word_embeddings.weight", new Shape(30522, hidden));
        shapes.put("bert.embeddings.position_embeddings.weight", new Shape(512, hidden));
        shapes.put("bert.embeddings.token_type_embeddings.weight", new Shape(2, hidden));
        shapes.put("bert.embeddings.LayerNorm.weight", new Shape(hidden));
        shapes.put("bert.embeddings.LayerNorm.bias", new Shape(hidden));
        for (int l = 0; l < 12; l++) {
            String p = "bert.encoder.layer." + l + ".";
            for (String m : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                shapes.put(p + m + ".weight", new Shape(hidden, hidden));
                shapes.put(p + m + ".bias", new Shape(hidden));
            }
            shapes.put(p + "attention.output.LayerNorm.weight", new Shape(hidden));
            shapes.put(p + "attention.output.LayerNorm.bias", new Shape(hidden));
            shapes.put(p + "intermediate.dense.weight", new Shape(intermediate, hidden));
            shapes.put(p + "intermediate.dense.bias", new Shape(intermediate));
            shapes.put(p + "output.dense.weight", new Shape(hidden, intermediate));
            shapes.put(p + "output.dense.bias", new Shape(hidden));
            shapes.put(p + "output.LayerNorm.weight", new Shape(hidden));
            shapes.put(p + "output.LayerNorm.bias", new Shape(hidden));
        }
        shapes.put("bert.pooler.dense.weight", new Shape(hidden, hidden));
        shapes.put("bert.pooler.dense.bias", new Shape(hidden));
        shapes.put("classifier.weight", new Shape(2, hidden));
        shapes.put("classifier.bias", new Shape(2));
        LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> params.put(name, manager.randomNormal(0f, 0.02f, shape, ai.djl.ndarray.types.DataType.FLOAT32)));
        return params;
    }
}
