package dev.finetune.trainer.metrics;

import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's Prometheus meters (finetune_train_step, finetune_train_loss, finetune_eval_f1, ...), all
 * tagged with the job, fed from the training loop's callbacks.
 */
public final class TrainingMeters implements TrainerCallback {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();
    private final DistributionSummary checkpointSaveSeconds;

    public TrainingMeters(MeterRegistry registry, String job) {
        this.registry = registry;
        this.tags = Tags.of("job", job);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.checkpointSaveSeconds = DistributionSummary.builder("finetune.checkpoint.save.seconds")
                .description("Time to write and rename one checkpoint")
                .baseUnit("seconds")
                .tags(tags)
                .register(registry);
        // Registered up front so that a scrape before the first step sees the series.
        set("finetune.train.step", "Optimiser steps done", 0);
        set("finetune.train.total.steps", "Optimiser steps planned", 0);
        set("finetune.train.epoch", "Fractional epoch", 0);
    }

    @Override
    public void onTrainBegin(TrainerState state) {
        set("finetune.train.total.steps", "Optimiser steps planned", state.maxSteps);
        onStepEnd(state);
    }

    @Override
    public void onStepEnd(TrainerState state) {
        set("finetune.train.step", "Optimiser steps done", state.globalStep);
        set("finetune.train.epoch", "Fractional epoch", state.epoch);
        if (state.trainSamplesPerSecond != null) {
            set("finetune.train.samples.per.second", "Training throughput", state.trainSamplesPerSecond);
        }
    }

    @Override
    public void onLog(TrainerState state, Map<String, Double> logs) {
        setIfPresent(logs, "loss", "finetune.train.loss", "Training loss over the last logging window");
        setIfPresent(logs, "learning_rate", "finetune.learning.rate", "Current learning rate");
        setIfPresent(logs, "grad_norm", "finetune.grad.norm", "Global gradient L2 norm before clipping");
    }

    @Override
    public void onEvaluate(TrainerState state, Map<String, Double> metrics) {
        metrics.forEach((key, value) -> {
            if (key.startsWith("eval_") && value != null) {
                set("finetune." + key.replace('_', '.'), "Evaluation " + key.substring(5), value);
            }
        });
    }

    /** Called by the checkpoint writer with the time one save took. */
    public void recordCheckpointSave(Duration duration) {
        checkpointSaveSeconds.record(duration.toNanos() / 1e9);
    }

    private void setIfPresent(Map<String, Double> logs, String key, String meter, String description) {
        Double value = logs.get(key);
        if (value != null) {
            set(meter, description, value);
        }
    }

    private void set(String name, String description, double value) {
        values.computeIfAbsent(name, n -> {
            AtomicReference<Double> holder = new AtomicReference<>(value);
            Gauge.builder(n, holder, AtomicReference::get).description(description).tags(tags).register(registry);
            return holder;
        }).set(value);
    }
}
