package dev.finetune.cli;

import ai.djl.engine.EngineException;
import java.util.Optional;

/**
 * Which memory ran out, and what to lower. A retry with the same settings runs out again at the same batch, so these
 * end with {@link ExitCodes#OUT_OF_MEMORY}, which the Job fails at once on (like 2), instead of being retried.
 */
final class OutOfMemory {
    private static final String LOWER = "lower spec.training.perDeviceTrainBatchSize (raise gradientAccumulationSteps "
            + "to keep the same total batch) or spec.task.maxLength";

    private OutOfMemory() {}

    /** The message for the user when {@code error} (or one of its causes) is an out-of-memory; empty otherwise. */
    static Optional<String> explain(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof OutOfMemoryError) {
                return Optional.of("The Java heap ran out of memory (" + message + "): " + LOWER + ", or raise "
                        + "spec.resources.limits.memory (the trainer image gives the heap 40% of it, the rest to libtorch)");
            }
            if (t instanceof EngineException && message.contains("CUDA out of memory")) {
                return Optional.of("The GPU ran out of memory: " + LOWER + " (" + firstLine(message) + ")");
            }
            if (t instanceof EngineException && message.contains("DefaultCPUAllocator: can't allocate memory")) {
                return Optional.of("libtorch ran out of host memory: " + LOWER + ", or raise spec.resources.limits.memory ("
                        + firstLine(message) + ")");
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
