package dev.finetune.trainer.train;

/**
 * The loss (or the gradient norm) became NaN or infinite. Retrying would diverge again from the same
 * checkpoint, so it counts as a configuration error: exit code 2, not retried, the message says what to change.
 * (An IllegalArgumentException so that the launcher's exit-code mapping treats it as invalid config.)
 */
public final class TrainingDivergedException extends IllegalArgumentException {
    public TrainingDivergedException(String message) {
        super(message);
    }

    /** "loss became NaN at step 12; ..." with the settings that usually cause it. */
    static TrainingDivergedException of(String what, double value, long step, double learningRate, Double maxGradNorm,
            boolean fp16) {
        StringBuilder advice = new StringBuilder("lower spec.training.learningRate (now ").append(learningRate).append(")");
        if (maxGradNorm == null || maxGradNorm <= 0) {
            advice.append(", set spec.training.maxGradNorm (e.g. 1.0) to clip gradients");
        } else {
            advice.append(", lower spec.training.maxGradNorm (now ").append(maxGradNorm).append(")");
        }
        if (fp16) {
            advice.append(", or set spec.training.fp16 to false");
        }
        advice.append(", then start the job from scratch or from a checkpoint before the divergence");
        return new TrainingDivergedException(what + " became " + describe(value) + " at step " + step
                + "; training diverged: " + advice);
    }

    private static String describe(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
    }
}
