package dev.finetune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.ManifestReader;
import dev.finetune.trainer.TrainingJob;
import dev.finetune.trainer.data.EncodedExample;
import dev.finetune.trainer.data.TrainBatches;
import dev.finetune.trainer.data.TrainingData;
import dev.finetune.trainer.metrics.ProgressReporter;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.source.DownloadListener;
import dev.finetune.trainer.source.SourceResolver;
import dev.finetune.trainer.train.TrainResult;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face Trainer tutorial's run (GLUE MRPC, 3 epochs, batch 8, lr 5e-5, linear decay, eval each
 * epoch) on all-MiniLM-L6-v2, through the same TrainingJob as `run`. Prints throughput, the fraction of this
 * machine's float32 matmul peak the training steps reach, eval accuracy/F1 per epoch and wall time.
 */
public final class MrpcBenchmark {
    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared").toAbsolutePath().normalize();
        Path model = shared.resolve("models/all-MiniLM-L6-v2");
        Path data = shared.resolve("data/glue-mrpc");
        if (!Files.isDirectory(model) || !Files.isDirectory(data)) {
            System.out.println("SKIP: " + model + " or " + data + " is absent");
            return;
        }
        double epochs = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Path work = Files.createTempDirectory("mrpc-bench");
        Path manifest = work.resolve("mrpc-minilm.yaml");
        Files.writeString(manifest, """
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata: {name: mrpc-minilm}
                spec:
                  model: {uri: "file://%s"}
                  dataset: {uri: "file://%s", trainSplit: train, evalSplit: validation}
                  task: {numLabels: 2, textFields: [sentence1, sentence2], labelField: label, maxLength: 128}
                  training: {numTrainEpochs: %s, perDeviceTrainBatchSize: 8, perDeviceEvalBatchSize: 8,
                             learningRate: 5.0e-5, lrSchedulerType: linear, evalStrategy: epoch,
                             saveStrategy: "no", loggingSteps: 50, seed: 42}
                """.formatted(model, data, epochs));
        FineTuneJob job = ManifestReader.read(manifest);

        double peak = matmulPeakGflops();
        BertConfig config = BertConfig.read(model.resolve("config.json"));
        TrainingData tokenised = TrainingData.load(data, job.getSpec().dataset, job.getSpec().task, model);

        List<Map<String, Double>> evals = new ArrayList<>();
        TrainerCallback recorder = new TrainerCallback() {
            @Override
            public void onEvaluate(TrainerState state, Map<String, Double> metrics) {
                evals.add(metrics);
            }
        };
        long start = System.nanoTime();
        TrainResult result = new TrainingJob(job, work.resolve("out"),
                new SourceResolver(work, work.resolve("cache"), null, work, SourceResolver.DEFAULT_ENDPOINT, DownloadListener.NONE),
                new ProgressReporter(), null, List.of(recorder), System.out, false).run();
        double wall = (System.nanoTime() - start) / 1e9;

        Work work3 = trainingWork(tokenised, job, config, result.globalStep());
        double trainRuntime = result.metrics().get("train_runtime");
        double evalRuntime = evals.stream().mapToDouble(m -> m.getOrDefault("eval_runtime", 0.0)).sum();
        double stepSeconds = trainRuntime - evalRuntime;
        double achieved = work3.flops / stepSeconds / 1e9;
        System.out.println();
        System.out.println("=== MRPC fine-tuning benchmark: all-MiniLM-L6-v2, " + Runtime.getRuntime().availableProcessors()
                + " cores, DJL " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", intra-op threads " + torchThreads() + " ===");
        System.out.printf("steps                      %d (%d rows x %s epochs / batch 8)%n", result.globalStep(),
                tokenised.train().size(), epochs == Math.floor(epochs) ? String.valueOf((int) epochs) : String.valueOf(epochs));
        System.out.printf("train samples/s            %.2f (training steps only: %.2f)%n",
                result.metrics().get("train_samples_per_second"), work3.samples / stepSeconds);
        System.out.printf("padded tokens per step     %.1f (mean)%n", work3.tokens / (double) result.globalStep());
        System.out.printf("model FLOPs                %.1f TFLOP (6 x %,d non-embedding params x tokens + attention)%n",
                work3.flops / 1e12, work3.params);
        System.out.printf("matmul peak (2048^2 fp32)  %.1f GFLOP/s%n", peak);
        System.out.printf("training steps reach       %.1f GFLOP/s = %.1f%% of the matmul peak%n", achieved, 100 * achieved / peak);
        for (int i = 0; i < evals.size(); i++) {
            System.out.printf("epoch %d eval               accuracy %.4f  F1 %.4f  loss %.4f%n", i + 1,
                    evals.get(i).get("eval_accuracy"), evals.get(i).get("eval_f1"), evals.get(i).get("eval_loss"));
        }
        System.out.printf("wall time                  %.1f s (train %.1f s, of which eval %.1f s)%n", wall, trainRuntime, evalRuntime);
    }

    /** Tokens and FLOPs of the steps that ran, as their batches are really padded. */
    private record Work(long samples, long tokens, double flops, long params) {}

    private static Work trainingWork(TrainingData data, FineTuneJob job, BertConfig c, long steps) {
        TrainBatches batches = data.trainBatches(job.getSpec().training);
        long h = c.hiddenSize();
        long layerParams = 4 * (h * h + h) + 2 * (h * c.intermediateSize()) + c.intermediateSize() + h + 4 * h;
        long params = c.numHiddenLayers() * layerParams + (h * h + h) + (h * 2 + 2);
        int epochs = (int) Math.ceil(job.getSpec().training.numTrainEpochs);
        long samples = 0;
        long tokens = 0;
        double flops = 0;
        long step = 0;
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < batches.batchesPerEpoch() && step < steps; k++, step++) {
                int[] rows = batches.rowIndices(e, k);
                int longest = 0;
                for (int r : rows) {
                    EncodedExample row = data.train().get(r);
                    longest = Math.max(longest, row.length());
                }
                long t = (long) rows.length * longest;
                samples += rows.length;
                tokens += t;
                flops += 6.0 * params * t + 12.0 * c.numHiddenLayers() * rows.length * (double) longest * longest * h;
            }
        }
        return new Work(samples, tokens, flops, params);
    }

    private static double matmulPeakGflops() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(2048, 2048));
            NDArray b = manager.randomNormal(new Shape(2048, 2048));
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    a.matMul(b).close();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 5 * 2.0 * 2048 * 2048 * 2048 / seconds / 1e9);
            }
            return best;
        }
    }

    private static String torchThreads() {
        return System.getProperty("ai.djl.pytorch.num_threads", "default (" + Runtime.getRuntime().availableProcessors() + ")");
    }
}
