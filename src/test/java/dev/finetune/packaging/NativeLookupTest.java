package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10.1: the trainer image's natives are found on a GPU node with no network and a read-only root. The image's
 * layout is made by running docker/install-djl-natives.sh (FLAVOR=cpu: the CUDA flavour's libtorch is downloaded, the
 * rest is the same) on a jar holding DJL's real version files and stand-in libraries; the image's ENV is read from the
 * Dockerfile; then DJL 0.36's lookups are replayed as its classes do them (read with javap from
 * ai.djl.huggingface.tokenizers.jni.LibUtils and ai.djl.pytorch.jni.LibUtils), with the CUDA architecture that DJL's
 * Platform reports on an H100/H200 (90) or an A100 (80), offline (so DJL's tokenizers flavour is "cpu").
 */
class NativeLookupTest {
    private static final String IMAGE_CACHE = "/opt/djl/engines";
    private static final String CLASSIFIER = "linux-x86_64";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "CUDA architecture {0}")
    @ValueSource(strings = {"90", "80", ""})
    void everyNativeLibraryIsFoundInTheImageWithoutNetwork(String cudaArch) throws Exception {
        Path cache = install("cpu");
        Map<String, String> env = trainerEnv(cache, "cpu");
        assertEquals(cache.toString(), env.get("ENGINE_CACHE_DIR"));

        Optional<Path> tokenizers = tokenizersLibrary(env, cudaArch);
        assertTrue(tokenizers.isPresent(), "tokenizers not found with CUDA arch '" + cudaArch + "', env " + env);
        assertTrue(Files.size(tokenizers.get()) > 0);

        Path torchDir = pytorchFolder(env);
        assertTrue(Files.isRegularFile(torchDir.resolve("libtorch.so")), torchDir + " has no libtorch.so");
        assertTrue(Files.isRegularFile(torchDir.resolve(djlVersion() + "-libdjl_torch.so")), torchDir + " has no JNI bridge");
    }

    @Test
    void withoutTheOverrideAGpuNodeLooksUnderTheArchitectureFolderAndFindsNothing() throws Exception {
        // What the image did before RUST_LIBRARY_PATH: the library only in the flavour folder, not in .../90/.
        Path cache = install("cpu");
        Map<String, String> env = trainerEnv(cache, "cpu");
        env.remove("RUST_LIBRARY_PATH");
        assertFalse(tokenizersLibrary(env, "90").isPresent(), "DJL would have to extract (read-only) or download (offline)");
        assertTrue(tokenizersLibrary(env, "").isPresent(), "a CPU node finds it in the flavour folder");
    }

    /**
     * The tokenizers loader: RUST_LIBRARY_PATH naming the library file wins (findOverrideLibrary); otherwise
     * ENGINE_CACHE_DIR/tokenizers/VERSION-FLAVOR-CLASSIFIER[/CUDA_ARCH]/libtokenizers.so (copyJniLibrary), where
     * FLAVOR is cpu offline and the architecture sub-folder is used whenever DJL detects one.
     */
    static Optional<Path> tokenizersLibrary(Map<String, String> env, String cudaArch) throws IOException {
        String override = env.get("RUST_LIBRARY_PATH");
        if (override != null) {
            Path path = Path.of(override);
            if (Files.isRegularFile(path) && path.getFileName().toString().equals("libtokenizers.so")) {
                return Optional.of(path);
            }
            Path dir = cudaArch.isEmpty() ? path : path.resolve(cudaArch);
            return Files.exists(dir.resolve("libtokenizers.so")) ? Optional.of(dir.resolve("libtokenizers.so")) : Optional.empty();
        }
        Path dir = Path.of(env.get("ENGINE_CACHE_DIR"), "tokenizers", tokenizersVersion() + "-cpu-" + CLASSIFIER);
        if (!cudaArch.isEmpty()) {
            dir = dir.resolve(cudaArch);
        }
        Path library = dir.resolve("libtokenizers.so");
        return Files.exists(library) ? Optional.of(library) : Optional.empty();
    }

    /** The PyTorch loader offline: ENGINE_CACHE_DIR/pytorch/VERSION-PYTORCH_FLAVOR-CLASSIFIER, the JNI bridge inside. */
    static Path pytorchFolder(Map<String, String> env) throws IOException {
        String version = jniVersion().split("-")[0];
        return Path.of(env.get("ENGINE_CACHE_DIR"), "pytorch", version + "-" + env.get("PYTORCH_FLAVOR") + "-" + CLASSIFIER);
    }

    /** Runs the image's install script on a jar with DJL's version files and stand-ins for the libraries. */
    private Path install(String flavor) throws Exception {
        Path jar = temp.resolve("finetune-operator.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            copyResource(zip, "jnilib/pytorch.properties");
            copyResource(zip, "native/lib/tokenizers.properties");
            for (String library : new String[] {"pytorch/cpu/" + CLASSIFIER + "/libtorch.so",
                    "pytorch/cpu/" + CLASSIFIER + "/libtorch_cpu.so", "jnilib/" + CLASSIFIER + "/" + flavor + "/libdjl_torch.so",
                    "native/lib/" + CLASSIFIER + "/cpu/libtokenizers.so"}) {
                zip.putNextEntry(new ZipEntry(library));
                zip.write(("stand-in for " + library).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        Path cache = temp.resolve("engines");
        Process script = new ProcessBuilder("sh", Path.of("docker", "install-djl-natives.sh").toString(), flavor,
                jar.toString(), cache.toString()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(script.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, script.exitValue(), output);
        return cache;
    }

    private static void copyResource(ZipOutputStream zip, String name) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        try (InputStream in = NativeLookupTest.class.getClassLoader().getResourceAsStream(name)) {
            in.transferTo(zip);
        }
        zip.closeEntry();
    }

    /** The trainer stage's ENV, with ${FLAVOR} expanded and the image's cache folder mapped onto {@code cache}. */
    private static Map<String, String> trainerEnv(Path cache, String flavor) throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile")).replaceAll("\\\\\\n", " ");
        int trainer = dockerfile.indexOf("AS trainer\n");
        assertTrue(trainer > 0, "no trainer stage");
        Map<String, String> env = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^ENV (.+)$").matcher(dockerfile.substring(trainer));
        Pattern pair = Pattern.compile("(\\w+)=(\\S+)");
        while (line.find()) {
            Matcher kv = pair.matcher(line.group(1));
            while (kv.find()) {
                env.put(kv.group(1), kv.group(2).replace("${FLAVOR}", flavor).replace(IMAGE_CACHE, cache.toString()));
            }
        }
        return env;
    }

    private static String jniVersion() throws IOException {
        return properties("jnilib/pytorch.properties").getProperty("jni_version");
    }

    private static String djlVersion() throws IOException {
        String jni = jniVersion();
        return jni.substring(jni.indexOf('-') + 1);
    }

    private static String tokenizersVersion() throws IOException {
        return properties("native/lib/tokenizers.properties").getProperty("version");
    }

    private static Properties properties(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = NativeLookupTest.class.getClassLoader().getResourceAsStream(name)) {
            properties.load(in);
        }
        return properties;
    }

}
