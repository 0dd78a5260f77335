package dev.finetune.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.finetune.trainer.TrainingDevice.Request;
import dev.finetune.trainer.TrainingDevice.Visible;
import org.junit.jupiter.api.Test;

/** Issue 10.2: the device choice with the visible GPUs injected, so every branch runs on this CPU machine. */
class TrainingDeviceTest {
    private static final Visible CPU_BUILD = new Visible(0, "cpu", "none");
    private static final Visible CUDA_NO_GPU = new Visible(0, "cu128", "none");
    private static final Visible TWO_GPUS = new Visible(2, "cu128", "12.8");

    @Test
    void aPodTrainsOnItsGpuAndOnTheCpuOnlyWhenItAskedForNone() {
        assertEquals(Device.gpu(0), TrainingDevice.select(Request.pod(1), TWO_GPUS));
        assertEquals(Device.cpu(), TrainingDevice.select(Request.pod(0), TWO_GPUS));
        assertEquals(Device.cpu(), TrainingDevice.select(Request.pod(null), CPU_BUILD));
    }

    @Test
    void aPodThatAskedForAGpuAndSeesNoneFailsInsteadOfTrainingOnTheCpu() {
        // A cpu-flavour image can never use the GPU: the job's config (exit 2).
        IllegalArgumentException image = assertThrows(IllegalArgumentException.class,
                () -> TrainingDevice.select(Request.pod(1), CPU_BUILD));
        assertTrue(image.getMessage().startsWith("spec.resources.gpus is 1 but the trainer image's PyTorch is the cpu flavour"),
                image.getMessage());
        assertTrue(image.getMessage().contains("spec.image"), image.getMessage());
        // A CUDA image on a node that gave it no GPU: the node (retried, another pod may land elsewhere).
        TrainingDevice.NoGpuException node = assertThrows(TrainingDevice.NoGpuException.class,
                () -> TrainingDevice.select(Request.pod(1), CUDA_NO_GPU));
        assertTrue(node.getMessage().contains("no GPU is visible to the trainer (PyTorch cu128"), node.getMessage());
    }

    @Test
    void aLocalRunTakesTheFirstGpuWhenThereIsOneAndTheFlagOverrides() {
        assertEquals(Device.gpu(0), TrainingDevice.select(Request.local(null), TWO_GPUS));
        assertEquals(Device.cpu(), TrainingDevice.select(Request.local(null), CPU_BUILD));
        assertEquals(Device.cpu(), TrainingDevice.select(Request.local("cpu"), TWO_GPUS));
        assertEquals(Device.gpu(0), TrainingDevice.select(Request.local("gpu"), TWO_GPUS));
        assertEquals(Device.gpu(1), TrainingDevice.select(Request.local("gpu:1"), TWO_GPUS));
    }

    @Test
    void aLocalFlagThatCannotBeMetNamesTheFlag() {
        assertEquals("--device gpu: no GPU is visible (PyTorch cpu, CUDA runtime none)",
                assertThrows(IllegalArgumentException.class, () -> TrainingDevice.select(Request.local("gpu"), CPU_BUILD)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingDevice.select(Request.local("gpu:2"), TWO_GPUS))
                .getMessage().startsWith("--device gpu:2: only 2 GPU(s) are visible"));
        assertEquals("--device must be cpu, gpu or gpu:N, not 'cuda'",
                assertThrows(IllegalArgumentException.class, () -> TrainingDevice.select(Request.local("cuda"), TWO_GPUS)).getMessage());
    }

    @Test
    void theFlavourIsReadFromDjlsLibtorchFolderAndThisMachineIsDetectedAsWhatItIs() {
        assertEquals("cu128", TrainingDevice.flavourOf("/opt/djl/engines/pytorch/2.7.1-cu128-linux-x86_64"));
        assertEquals("cpu", TrainingDevice.flavourOf("/root/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64"));
        Visible here = Visible.detect();
        // The build machine has the CPU libtorch from Maven Central and no GPU.
        assertEquals("cpu", here.flavour());
        assertEquals(0, here.gpus());
        assertTrue(TrainingDevice.describe(Device.cpu(), here).startsWith("Training on cpu() (PyTorch 2.7.1 cpu flavour"),
                TrainingDevice.describe(Device.cpu(), here));
    }
}
