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
 * Training-step time of any family's config.json beside a BERT of the same size (hidden, layers, heads, intermediate,
 * vocab, max positions): the two models' steps alternate in one run, so that other work on a shared machine weighs on
 * both alike, and the ratio of their median steps is printed. A step is what the loop does: forward in training mode,
 * mean cross-entropy, backward, global gradient norm, clipping scale, AdamW. Run with bench/model-step.sh CONFIG_JSON
 * (surefire skips it: not a *Test). Usage: BATCH TOKENS STEPS CONFIG_JSON.
 */
public final class FamilyStepBenchmark {
    /** The config.json names of a size, with the names families use instead (DistilBERT's dim, n_layers, ...). */
    private static final Map<String, List<String>> SIZES = sizes();

    private static Map<String, List<String>> sizes() {
        Map<String, List<String>> sizes = new LinkedHashMap<>();
        sizes.put("vocab_size", List.of("vocab_size"));
        sizes.put("hidden_size", List.of("hidden_size", "dim"));
        sizes.put("num_hidden_layers", List.of("num_hidden_layers", "n_layers"));
        sizes.put("num_attention_heads", List.of("num_attention_heads", "n_heads"));
        sizes.put("intermediate_size", List.of("intermediate_size", "hidden_dim"));
        sizes.put("max_position_embeddings", List.of("max_position_embeddings"));
        return sizes;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FamilyStepBenchmark BATCH TOKENS STEPS CONFIG_JSON");
            System.exit(2);
        }
        int batch = Integer.parseInt(args[0]);
        int length = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path file = Path.of(args[3]);
        EncoderConfig family = ModelFamilies.readConfig(file).withLabels(2, null);
        EncoderConfig bert = ModelFamilies.parseConfig(bertOfTheSameSize(family, file), "BERT of the same size as " + file)
                .withLabels(2, null);
        int longest = Math.min(family.maxInputLength(), bert.maxInputLength());
        if (length > longest) {
            System.err.println("TOKENS " + length + " exceeds what " + file + " takes (" + longest + ")");
            System.exit(2);
        }
        System.out.printf("DJL %s, engine %s, intra-op threads %d, inter-op threads %d, cores %d%n",
                Engine.getDjlVersion(), Engine.getInstance().getEngineName(), JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Runtime.getRuntime().availableProcessors());
        System.out.println("sizes: " + bert.architecture());

        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel familyModel = ModelFamilies.fromConfig(family, manager, 42);
                SequenceClassificationModel bertModel = ModelFamilies.fromConfig(bert, manager, 42)) {
            Stepper familySteps = new Stepper(familyModel);
            Stepper bertSteps = new Stepper(bertModel);
            System.out.printf("%s: %,d parameters; bert: %,d parameters; batch %d x %d tokens%n", family.modelType(),
                    familySteps.parameters(), bertSteps.parameters(), batch, length);
            double[] familyTimes = new double[steps];
            double[] bertTimes = new double[steps];
            double[] ratios = new double[steps];
            for (int s = -2; s < steps; s++) { // two warm-up pairs
                double f = familySteps.step(manager, batch, length, s);
                double b = bertSteps.step(manager, batch, length, s);
                if (s >= 0) {
                    familyTimes[s] = f;
                    bertTimes[s] = b;
                    ratios[s] = f / b;
                }
            }
            familySteps.close();
            bertSteps.close();
            System.out.printf("%s step: %s s; bert step: %s s%n", family.modelType(), format(familyTimes), format(bertTimes));
            System.out.printf("median step: %s %.4f s, bert of the same size %.4f s: ratio %.2f (median of the pairs' ratios %.2f)%n",
                    family.modelType(), median(familyTimes), median(bertTimes), median(familyTimes) / median(bertTimes),
                    median(ratios));
        }
    }

    /** A BERT config.json with the family's sizes (absent names take the family's parsed values via architecture()). */
    static String bertOfTheSameSize(EncoderConfig family, Path file) throws java.io.IOException {
        var json = ConfigFields.readObject(file);
        Map<String, Integer> known = family.architecture();
        StringBuilder out = new StringBuilder("{\"model_type\": \"bert\"");
        for (Map.Entry<String, List<String>> size : SIZES.entrySet()) {
            Integer value = known.get(size.getKey());
            for (String name : size.getValue()) {
                if (value == null && json.path(name).canConvertToInt()) {
                    value = json.get(name).intValue();
                }
            }
            if (value == null) {
                throw new IllegalArgumentException(file + ": no " + size.getValue() + " to size the BERT beside it");
            }
            out.append(", \"").append(size.getKey()).append("\": ").append(value);
        }
        return out.append("}").toString();
    }

    /** One model's training steps on random batches, with the loop's optimiser. */
    private static final class Stepper implements AutoCloseable {
        private final SequenceClassificationModel model;
        private final AdamW optimizer;

        Stepper(SequenceClassificationModel model) {
            this.model = model;
            TrainingSpec spec = new TrainingSpec();
            spec.weightDecay = 0.01;
            this.optimizer = AdamW.of(model.namedParameters(), spec);
        }

        long parameters() {
            return model.namedParameters().values().stream().mapToLong(NDArray::size).sum();
        }

        /** Seconds of one whole step. */
        double step(NDManager manager, int batch, int length, int seed) {
            try (NDManager step = manager.newSubManager()) {
                NDArray ids = step.randomInteger(5, model.config().vocabSize(), new Shape(batch, length), DataType.INT64);
                NDArray types = step.zeros(new Shape(batch, length), DataType.INT64);
                NDArray mask = step.ones(new Shape(batch, length), DataType.INT64);
                NDArray labels = step.randomInteger(0, 2, new Shape(batch, 1), DataType.INT64);
                long t0 = System.nanoTime();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    Engine.getInstance().setRandomSeed(1000 + seed);
                    NDArray loss = model.forward(ids, types, mask, true).logSoftmax(-1).gather(labels, 1).neg().mean();
                    collector.backward(loss);
                }
                Map<String, NDArray> gradients = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> p : model.namedParameters().entrySet()) {
                    NDArray grad = p.getValue().getGradient();
                    grad.attach(step);
                    gradients.put(p.getKey(), grad);
                }
                double norm = GradientClipper.globalNorm(gradients.values());
                optimizer.step(gradients, 5e-5, GradientClipper.scale(norm, 1.0));
                return (System.nanoTime() - t0) / 1e9;
            }
        }

        @Override
        public void close() {
            optimizer.close();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%.4f", v));
        }
        return s.toString();
    }
}
