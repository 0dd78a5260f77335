package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every place the training step reads a device value on the host goes through here, so the number of
 * device-to-host syncs per step can be counted (bench/gpu-smoke.sh prints it, a test bounds it). Each read
 * makes the host wait until the device has finished all work queued before it.
 */
public final class DeviceSyncCounter {
    private static final AtomicLong READS = new AtomicLong();

    private DeviceSyncCounter() {}

    /** The values of {@code array}, read in one device-to-host copy. */
    public static float[] read(NDArray array) {
        READS.incrementAndGet();
        return array.toFloatArray();
    }

    /** Reads since the JVM started (differences of this give the reads of a span). */
    public static long count() {
        return READS.get();
    }
}
