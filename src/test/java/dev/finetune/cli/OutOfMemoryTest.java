package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import dev.finetune.operator.TrainingJobDependent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 10.8 (memory): a Java OutOfMemoryError and a CUDA out-of-memory each end with a message saying which memory ran
 * out and what to lower, and with exit code 3, which the Job's pod failure policy fails at once on (no blind retry).
 */
class OutOfMemoryTest {
    // libtorch's message as DJL's EngineException carries it (torch.cuda.OutOfMemoryError's text).
    private static final String CUDA_OOM = "CUDA out of memory. Tried to allocate 96.00 MiB. GPU 0 has a total capacity of "
            + "79.11 GiB of which 20.06 MiB is free.\nException raised from malloc at ...";

    @Test
    void aJavaHeapOutOfMemorySaysSoAndWhatToLower() {
        Throwable error = new OutOfMemoryError("Java heap space");
        String message = OutOfMemory.explain(error).orElseThrow();
        assertTrue(message.startsWith("The Java heap ran out of memory (Java heap space)"), message);
        assertTrue(message.contains("spec.training.perDeviceTrainBatchSize") && message.contains("spec.task.maxLength"), message);
        assertTrue(message.contains("spec.resources.limits.memory"), message);
        assertEquals(3, ExitCodes.of(error));
        assertTrue(ExitCodes.isUserError(error), "a message, no stack trace");
    }

    @Test
    void aCudaOutOfMemorySaysTheGpuRanOutEvenWhenWrapped() {
        Throwable error = new IllegalStateException("step 12 failed", new EngineException(CUDA_OOM));
        String message = OutOfMemory.explain(error).orElseThrow();
        assertTrue(message.startsWith("The GPU ran out of memory: lower spec.training.perDeviceTrainBatchSize"), message);
        assertTrue(message.contains("spec.task.maxLength"), message);
        assertTrue(message.contains("Tried to allocate 96.00 MiB") && !message.contains("malloc"), "the first line only: " + message);
        // Even a wrapping IllegalArgumentException (otherwise exit 2) reports the memory, as 3.
        assertEquals(3, ExitCodes.of(new IllegalArgumentException("x", new EngineException(CUDA_OOM))));
    }

    @Test
    void libtorchsHostAllocatorFailingIsHostMemory() {
        Throwable error = new EngineException("[enforce fail at alloc_cpu.cpp:118] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 3221225472 bytes.");
        assertTrue(OutOfMemory.explain(error).orElseThrow().startsWith("libtorch ran out of host memory"));
        assertEquals(3, ExitCodes.of(error));
    }

    @Test
    void otherEngineErrorsAreNoMemoryProblemAndAreRetried() {
        Throwable error = new EngineException("Expected all tensors to be on the same device");
        assertEquals(Optional.empty(), OutOfMemory.explain(error));
        assertEquals(1, ExitCodes.of(error));
    }

    @Test
    void theJobFailsAtOnceOnTheOutOfMemoryCodeAndTheImageSizesTheHeapFromTheLimit() throws Exception {
        assertEquals(TrainingJobDependent.EXIT_OUT_OF_MEMORY, ExitCodes.OUT_OF_MEMORY);
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String trainer = dockerfile.substring(dockerfile.indexOf("AS trainer\n"));
        assertTrue(trainer.contains("ENV JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=40"), "the trainer's heap is not sized from the limit");
    }
}
