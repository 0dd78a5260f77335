package dev.finetune.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which device a run trains on, chosen explicitly instead of left to DJL's default (which silently falls back to
 * the CPU when libtorch sees no GPU). In a pod ({@link Request#pod}): the first GPU when {@code spec.resources.gpus}
 * asks for one, and a failure at start when none is visible. On a laptop ({@link Request#local}): {@code --device
 * cpu|gpu|gpu:N}, or the first GPU when there is one.
 */
public final class TrainingDevice {
    private static final Pattern FLAG = Pattern.compile("cpu|gpu(?::(\\d+))?");
    /** DJL's libtorch folders are named VERSION-FLAVOR-CLASSIFIER, e.g. 2.7.1-cu128-linux-x86_64 (the image) or 2.7.1-20250812-cpu-linux-x86_64 (from the jar). */
    private static final Pattern LIBTORCH_FOLDER = Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-\\d+)?-([a-z0-9]+)-(?:linux|osx|win)");

    private TrainingDevice() {}

    /**
     * What this machine offers the trainer.
     *
     * @param gpus GPUs as libtorch sees them (0 with a cpu-flavour libtorch, whatever the node has)
     * @param flavour the libtorch build: cpu, cu128, ...
     * @param cudaVersion the CUDA runtime DJL finds (e.g. 12.8), or "none"
     */
    public record Visible(int gpus, String flavour, String cudaVersion) {
        public static Visible detect() {
            Engine engine = Engine.getInstance();
            String cuda = CudaUtils.hasCuda() ? CudaUtils.getCudaVersionString() : "none";
            return new Visible(engine.getGpuCount(), flavourOf(LibUtils.getLibtorchPath()), cuda);
        }

        boolean cudaBuild() {
            return flavour.startsWith("cu");
        }
    }

    /** Either the pod's GPU count (train) or the local flag (run; null: the first GPU if any, else the CPU). */
    public record Request(Integer podGpus, String flag) {
        public static Request pod(Integer gpus) {
            return new Request(gpus == null ? 0 : gpus, null);
        }

        public static Request local(String flag) {
            return new Request(null, flag);
        }
    }

    /** A GPU was asked for on a node where libtorch sees none although it is a CUDA build: the node, not the job. */
    public static final class NoGpuException extends RuntimeException {
        NoGpuException(String message) {
            super(message);
        }
    }

    /**
     * @throws IllegalArgumentException for a request this setup can never meet (a bad flag, a GPU with a cpu-flavour
     *     image): exit code 2, a retry cannot help
     * @throws NoGpuException when a CUDA build sees no GPU: retried, as another pod may land on a healthy node
     */
    public static Device select(Request request, Visible visible) {
        if (request.podGpus() != null) {
            if (request.podGpus() == 0) {
                return Device.cpu();
            }
            if (visible.gpus() > 0) {
                return Device.gpu(0);
            }
            if (!visible.cudaBuild()) {
                throw new IllegalArgumentException("spec.resources.gpus is " + request.podGpus() + " but the trainer image's "
                        + "PyTorch is the " + visible.flavour() + " flavour, which cannot use a GPU: set spec.image to a CUDA "
                        + "build of the trainer (docker build --build-arg FLAVOR=cu128) or spec.resources.gpus to 0");
            }
            throw new NoGpuException("spec.resources.gpus is " + request.podGpus() + " but no GPU is visible to the trainer "
                    + "(PyTorch " + visible.flavour() + ", CUDA runtime " + visible.cudaVersion() + "): the node's NVIDIA "
                    + "driver or device plugin did not give the pod its GPU; refusing to train on the CPU instead");
        }
        String flag = request.flag();
        if (flag == null) {
            return visible.gpus() > 0 ? Device.gpu(0) : Device.cpu();
        }
        Matcher m = FLAG.matcher(flag);
        if (!m.matches()) {
            throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N, not '" + flag + "'");
        }
        if (flag.equals("cpu")) {
            return Device.cpu();
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        if (index >= visible.gpus()) {
            throw new IllegalArgumentException("--device " + flag + ": " + (visible.gpus() == 0 ? "no GPU is visible"
                    : "only " + visible.gpus() + " GPU(s) are visible") + " (PyTorch " + visible.flavour() + ", CUDA runtime "
                    + visible.cudaVersion() + ")");
        }
        return Device.gpu(index);
    }

    /** The start-up log line: where it trains and with what. */
    public static String describe(Device device, Visible visible) {
        return "Training on " + device + " (PyTorch " + Engine.getInstance().getVersion() + " " + visible.flavour()
                + " flavour, CUDA runtime " + visible.cudaVersion() + ", " + visible.gpus() + " GPU(s) visible to libtorch)";
    }

    static String flavourOf(String libtorchPath) {
        Matcher m = libtorchPath == null ? null : LIBTORCH_FOLDER.matcher(libtorchPath);
        if (m != null && m.find()) {
            return m.group(1);
        }
        String env = System.getenv("PYTORCH_FLAVOR");
        return env == null || env.isBlank() ? "unknown" : env;
    }
}
