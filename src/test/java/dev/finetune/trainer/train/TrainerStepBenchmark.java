package dev.finetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.LoopAdapters;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.model.BertForSequenceClassification;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Trainer's own optimiser steps on a bert-base-sized model (random init, random tokens) on the engine's
 * default device (a GPU when DJL sees one): samples/s and device-to-host syncs per step, counted by
 * {@link DeviceSyncCounter} outside logging steps. Run by bench/gpu-smoke.sh (surefire skips it: not a *Test).
 * Arguments: BATCH TOKENS STEPS [fp32|fp16] [CONFIG_JSON]. Under fp16 it also prints the loss scale and the
 * skipped (overflowed) steps.
 */
public final class TrainerStepBenchmark {
    private static final String BERT_BASE = "{\"vocab_size\": 30522, \"hidden_size\": 768, \"num_hidden_layers\": 12,"
            + " \"num_attention_heads\": 12, \"intermediate_size\": 3072, \"max_position_embeddings\": 512}";

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        String precision = args.length > 3 ? args[3] : "fp32";
        BertConfig config = args.length > 4 ? BertConfig.read(java.nio.file.Path.of(args[4])).withLabels(2, null)
                : BertConfig.parse(BERT_BASE, "bert-base config");
        TrainingSpec spec = new TrainingSpec();
        spec.maxSteps = steps;
        spec.perDeviceTrainBatchSize = batch;
        spec.learningRate = 5e-5;
        spec.weightDecay = 0.01;
        spec.loggingSteps = steps; // one logging step, at the end
        spec.evalStrategy = "no";
        spec.saveStrategy = "no";
        if (!"fp32".equals(precision) && !"fp16".equals(precision)) {
            throw new IllegalArgumentException("precision must be fp32 or fp16, got " + precision);
        }
        spec.fp16 = "fp16".equals(precision);
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(config, manager, 42)) {
            System.out.printf("device %s, engine %s %s, %s, batch %d x %d tokens, %d steps%n", manager.getDevice(),
                    Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), precision, batch, length, steps);
            TrainBatchSource data = randomTokens(config.vocabSize(), batch, length, steps);
            List<Long> syncs = new ArrayList<>();
            List<Long> nanos = new ArrayList<>();
            double[] scale = {0};
            long[] optimizerSteps = {0};
            try (Trainer trainer = new Trainer(LoopAdapters.classifier(model), spec, data, null)
                    .withOutput(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .withProgressBar(false)) {
                long[] last = {DeviceSyncCounter.count(), System.nanoTime()};
                trainer.addCallback(new TrainerCallback() {
                    @Override
                    public void onStepEnd(TrainerState state) {
                        long now = System.nanoTime();
                        syncs.add(DeviceSyncCounter.count() - last[0]);
                        nanos.add(now - last[1]);
                        last[0] = DeviceSyncCounter.count();
                        last[1] = now;
                    }
                });
                trainer.train(null);
                if (trainer.gradScaler() != null) {
                    scale[0] = trainer.gradScaler().scale();
                    optimizerSteps[0] = trainer.optimizer().stepCount();
                }
            }
            // The first two steps warm up (allocator, kernels); the last one is a logging step.
            double seconds = 0;
            int timed = 0;
            for (int s = 2; s < nanos.size(); s++) {
                seconds += nanos.get(s) / 1e9;
                timed++;
            }
            long maxSyncs = syncs.subList(0, syncs.size() - 1).stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf("samples/s %.1f (steps 3..%d, %.3f s/step)%n", timed * batch / seconds, steps,
                    seconds / timed);
            System.out.printf("device-to-host syncs per non-logging step: max %d (per step: %s)%n", maxSyncs, syncs);
            if (scale[0] > 0) {
                System.out.printf("fp16: loss scale %.0f at the end, %d of %d steps skipped on overflow%n", scale[0],
                        steps - optimizerSteps[0], steps);
            }
        }
    }

    /** Random ids, full attention; batch k of any epoch is the same pure function of k. */
    private static TrainBatchSource randomTokens(int vocab, int batch, int length, int steps) {
        return new TrainBatchSource() {
            @Override
            public int rowCount() {
                return batch * steps;
            }

            @Override
            public int batchesPerEpoch() {
                return steps;
            }

            @Override
            public Batch batch(int epoch, int index, NDManager manager) {
                java.util.Random random = new java.util.Random(31L * epoch + index);
                long[] ids = new long[batch * length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = 1 + random.nextInt(vocab - 1);
                }
                long[] labels = new long[batch];
                for (int i = 0; i < batch; i++) {
                    labels[i] = random.nextInt(2);
                }
                Shape shape = new Shape(batch, length);
                NDArray inputIds = manager.create(ids, shape);
                return new Batch(inputIds, manager.zeros(shape, DataType.INT64), manager.ones(shape, DataType.INT64),
                        manager.create(labels));
            }
        };
    }
}
