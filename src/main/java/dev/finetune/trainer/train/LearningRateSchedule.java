package dev.finetune.trainer.train;

import dev.finetune.api.TrainingSpec;

/**
 * The learning rate as a pure function of the optimiser step, as transformers' {@code get_scheduler}
 * (LambdaLR over the peak rate). {@link #at(long)} with the number of updates already done gives the rate
 * of the next update, and, after an update, the rate the Trainer logs. A resume needs only the step.
 */
public final class LearningRateSchedule {
    public enum Type { LINEAR, CONSTANT, CONSTANT_WITH_WARMUP, COSINE }

    private final Type type;
    private final double peak;
    private final long warmupSteps;
    private final long totalSteps;

    public LearningRateSchedule(Type type, double peak, long warmupSteps, long totalSteps) {
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warmup and total steps must be >= 0");
        }
        this.type = type;
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** From TrainingSpec: lrSchedulerType, learningRate, warmupSteps or else ceil(warmupRatio x maxSteps). */
    public static LearningRateSchedule of(TrainingSpec spec, long maxSteps) {
        return new LearningRateSchedule(parseType(spec.lrSchedulerType), spec.learningRate,
                warmupSteps(spec, maxSteps), maxSteps);
    }

    /** transformers' TrainingArguments.get_warmup_steps. */
    public static long warmupSteps(TrainingSpec spec, long maxSteps) {
        if (spec.warmupSteps != null && spec.warmupSteps > 0) {
            return spec.warmupSteps;
        }
        double ratio = spec.warmupRatio == null ? 0.0 : spec.warmupRatio;
        return (long) Math.ceil(maxSteps * ratio);
    }

    public static Type parseType(String name) {
        String n = name == null ? "linear" : name;
        switch (n) {
            case "linear": return Type.LINEAR;
            case "constant": return Type.CONSTANT;
            case "constant_with_warmup": return Type.CONSTANT_WITH_WARMUP;
            case "cosine": return Type.COSINE;
            default:
                throw new IllegalArgumentException("spec.training.lrSchedulerType must be linear, constant, "
                        + "constant_with_warmup or cosine, not '" + name + "'");
        }
    }

    public long warmupSteps() {
        return warmupSteps;
    }

    /** Learning rate after {@code step} updates. */
    public double at(long step) {
        return peak * factor(step);
    }

    /** The LambdaLR multiplier; the formulas and their max(1, .) guards are transformers'. */
    double factor(long step) {
        switch (type) {
            case CONSTANT:
                return 1.0;
            case CONSTANT_WITH_WARMUP:
                return step < warmupSteps ? (double) step / Math.max(1.0, warmupSteps) : 1.0;
            case LINEAR:
                if (step < warmupSteps) {
                    return (double) step / Math.max(1, warmupSteps);
                }
                return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE:
                if (step < warmupSteps) {
                    return (double) step / Math.max(1, warmupSteps);
                }
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                // num_cycles = 0.5: half a cosine from the peak down to 0.
                return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            default:
                throw new IllegalStateException(type.toString());
        }
    }
}
