package dev.finetune.trainer.train;

/**
 * Dynamic loss scaling for float16 training, as torch.amp.GradScaler does it: the loss is multiplied by
 * {@link #scale()} before backward so small gradients survive float16; the optimiser divides it back out.
 * A step whose gradients hold an inf or NaN is skipped and the scale halved (backoff); after
 * {@code growthInterval} good steps in a row the scale doubles (growth). torch's defaults: init 2^16,
 * growth 2.0 every 2000 steps, backoff 0.5.
 */
public final class GradScaler {
    public static final double INIT_SCALE = 65536.0;
    public static final double GROWTH_FACTOR = 2.0;
    public static final double BACKOFF_FACTOR = 0.5;
    public static final int GROWTH_INTERVAL = 2000;
    /**
     * Below this the scale no longer protects small gradients: the overflows come from the forward pass or from
     * NaNs, and more halving would only skip every step (torch goes on halving; the trainer stops, exit 2).
     */
    public static final double MIN_SCALE = 1.0;

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private double scale;
    private int goodSteps;

    public GradScaler() {
        this(INIT_SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1) {
            throw new IllegalArgumentException("GradScaler needs initScale > 0, growthFactor > 1, backoffFactor in (0, 1),"
                    + " growthInterval >= 1");
        }
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** What the loss is multiplied by before backward. */
    public double scale() {
        return scale;
    }

    /** The factor that turns the scaled gradients back into true ones. */
    public double inverseScale() {
        return 1.0 / scale;
    }

    /**
     * The gradient norm of the scaled gradients says whether any element was inf or NaN (the norm is then
     * non-finite). Returns true when the optimiser step must run, false when it is skipped; updates the scale
     * as torch's {@code scaler.update()} does.
     */
    public boolean update(double scaledGradNorm) {
        if (!Double.isFinite(scaledGradNorm)) {
            scale *= backoffFactor;
            goodSteps = 0;
            return false;
        }
        goodSteps++;
        if (goodSteps == growthInterval) {
            scale *= growthFactor;
            goodSteps = 0;
        }
        return true;
    }

    /** Good steps since the last growth or backoff (torch's growth tracker). */
    public int goodSteps() {
        return goodSteps;
    }

    /** Restores the scale and tracker saved with a checkpoint. */
    public void load(double savedScale, int savedGoodSteps) {
        if (!(savedScale > 0) || savedGoodSteps < 0) {
            throw new IllegalArgumentException("invalid saved loss scale " + savedScale + " / " + savedGoodSteps);
        }
        scale = savedScale;
        goodSteps = savedGoodSteps;
    }
}
