package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import dev.finetune.trainer.train.TrainingSteps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Speed of a checkpoint of a bert-base-sized model on this machine (run by bench/checkpoint.sh, not by the tests):
 * the save (weights, AdamW moments, JSON, fsync, rename), and a resume (validation, weights, moments).
 * Argument: the output folder's parent (default: a temporary folder); it is removed afterwards.
 */
public final class CheckpointBenchmark {
    public static void main(String[] args) throws Exception {
        Path parent = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir"));
        Path output = Files.createTempDirectory(parent, "checkpoint-bench");
        BertConfig config = BertConfig.parse("{\"num_labels\": 2}", "bert-base defaults"); // 768 x 12 layers, 30522 words
        TrainingSpec spec = new TrainingSpec();
        spec.maxSteps = 1377;
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(config, manager, 1)) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            long parameters = 0;
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                moments.put(e.getKey() + ".exp_avg", manager.randomNormal(e.getValue().getShape()));
                moments.put(e.getKey() + ".exp_avg_sq", manager.randomUniform(0, 1, e.getValue().getShape()));
                parameters += e.getValue().size();
            }
            CheckpointWriter writer = new CheckpointWriter(output, model, null, spec, null);
            for (int step = 500; step <= 1000; step += 500) {
                TrainerState state = new TrainerState();
                state.globalStep = step;
                state.maxSteps = spec.maxSteps;
                ResumePoint point = ResumePoint.start(spec, TrainingSteps.of(spec, 459));
                point.globalStep = step;
                point.epoch = step / 459;
                point.batchInEpoch = step % 459;
                long start = System.nanoTime();
                Path folder = writer.save(new TrainingSnapshot(state, point, moments));
                double seconds = (System.nanoTime() - start) / 1e9;
                long bytes = 0;
                try (var files = Files.list(folder)) {
                    for (Path f : files.toList()) {
                        bytes += Files.size(f);
                    }
                }
                System.out.printf("save %s: %d parameters, %.0f MB in %.2f s = %.0f MB/s%n", folder.getFileName(), parameters,
                        bytes / 1e6, seconds, bytes / 1e6 / seconds);
            }
            try (NDManager resume = manager.newSubManager()) {
                long start = System.nanoTime();
                Optional<TrainingSnapshot> snapshot = CheckpointResume.prepare(output, spec, model,
                        TrainingSteps.of(spec, 459), resume);
                System.out.printf("resume from %s (validate, load weights and moments): %.2f s%n",
                        snapshot.orElseThrow().state().globalStep, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            AtomicFolder.deleteTree(output);
        }
    }
}
