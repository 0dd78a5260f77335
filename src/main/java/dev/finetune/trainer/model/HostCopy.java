package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A tensor's bytes on the host, without leaving a copy behind. DJL's {@code toByteBuffer} of a GPU array (or of a
 * non-contiguous one) first makes a CPU (contiguous) copy attached to the array's own manager: for weights and
 * moments that is the model's, alive for the whole run, so every checkpoint would keep another host copy of the model
 * and its optimiser (about 1.3 GB for bert-base) until the pod is OOM-killed. Here the array is attached to a scope
 * for the copy, and the scope is closed, with the copy, as soon as the bytes are used.
 */
public final class HostCopy {
    private HostCopy() {}

    /** What is done with the bytes; they are valid only during the call. */
    @FunctionalInterface
    public interface BytesConsumer {
        void accept(ByteBuffer bytes) throws IOException;
    }

    /** Calls {@code consumer} with {@code array}'s bytes, native order, row-major; the host copy is freed after. */
    public static void withBytes(NDArray array, BytesConsumer consumer) throws IOException {
        try (NDManager scope = array.getManager().newSubManager()) {
            // Temporarily attached: what toByteBuffer creates from the array goes to the scope, and the array returns
            // to its own manager when the scope closes.
            scope.tempAttachAll(array);
            // Direct: on the CPU it aliases the tensor (no copy at all), elsewhere the scoped host copy.
            consumer.accept(array.toByteBuffer(true));
        }
    }
}
