package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a checkpoint's {@code model.safetensors}, looked up by the model's parameter names the way
 * transformers' from_pretrained matches them: with or without the {@code bert.} prefix, and the old
 * {@code LayerNorm.gamma/beta} names as {@code weight/bias}. Remembers what was used, so that the rest can be
 * reported as unused.
 */
public final class PretrainedWeights implements Closeable {
    static final String BASE_MODEL_PREFIX = "bert.";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private final Path dir;
    private final SafetensorsReader reader;
    /** The base model's attribute name with its dot ("bert.", "mpnet.", "deberta."), tried on and off each name. */
    private final String basePrefix;
    /** Normalised name (gamma/beta renamed) -> name in the file. */
    private final Map<String, String> fileNames = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    /** False where the checkpoint holds another head: then only the base model's weights are taken from it. */
    private final boolean headTaken;

    private PretrainedWeights(Path dir, SafetensorsReader reader, String basePrefix, boolean headTaken) {
        this.dir = dir;
        this.reader = reader;
        this.basePrefix = basePrefix;
        this.headTaken = headTaken;
        for (String name : reader.names()) {
            fileNames.put(name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias"), name);
        }
    }

    /** Opens {@code dir/model.safetensors}; a folder without one is an error naming the folder. */
    static PretrainedWeights open(Path dir) throws IOException {
        return open(dir, BASE_MODEL_PREFIX);
    }

    /** The same for a family whose base model sits under {@code basePrefix} (e.g. "mpnet."). */
    public static PretrainedWeights open(Path dir, String basePrefix) throws IOException {
        return new PretrainedWeights(dir, SafetensorsReader.open(weightsFile(dir)), basePrefix, true);
    }

    /**
     * For a model whose head is a {@code headSuffix} one (e.g. "ForTokenClassification"): where config.json's
     * architectures name another head (a ForSequenceClassification checkpoint, say), the head parameters (names
     * outside {@code basePrefix}) are not taken from it: its head is a different layer that happens to share
     * transformers' name "classifier" (and, for BERT, ALBERT, DeBERTa, DistilBERT, would be a size mismatch).
     * The checkpoint's head is then reported unused and the new one initialised, as fine-tuning a new task expects.
     */
    public static PretrainedWeights openForHead(Path dir, String basePrefix, String headSuffix) throws IOException {
        Path file = weightsFile(dir);
        return new PretrainedWeights(dir, SafetensorsReader.open(file), basePrefix, savedWithHead(dir, headSuffix));
    }

    /** Whether config.json's architectures name a {@code headSuffix} class; true where it names none. */
    private static boolean savedWithHead(Path dir, String headSuffix) throws IOException {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return true;
        }
        var architectures = ConfigFields.readObject(config).get("architectures");
        if (architectures == null || !architectures.isArray() || architectures.isEmpty()) {
            return true;
        }
        for (var architecture : architectures) {
            if (architecture.asText().endsWith(headSuffix)) {
                return true;
            }
        }
        return false;
    }

    private static Path weightsFile(Path dir) throws IOException {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin, which is not supported: convert it to safetensors, e.g. "
                            + "save_pretrained(dir, safe_serialization=True))"
                    : "";
            throw new IOException("model folder " + dir + " has no " + WEIGHTS_FILE + hint);
        }
        return file;
    }

    Path dir() {
        return dir;
    }

    Path file() {
        return reader.file();
    }

    /** The tensor for a model parameter name, read into {@code manager}, or empty where the checkpoint lacks it. */
    Optional<NDArray> take(String modelName, NDManager manager) throws IOException {
        if (!headTaken && !modelName.startsWith(basePrefix)) {
            return Optional.empty();
        }
        String fileName = fileNames.get(modelName);
        if (fileName == null) {
            String alternative = modelName.startsWith(basePrefix)
                    ? modelName.substring(basePrefix.length())
                    : basePrefix + modelName;
            fileName = fileNames.get(alternative);
        }
        if (fileName == null) {
            return Optional.empty();
        }
        used.add(fileName);
        return Optional.of(reader.read(fileName, manager));
    }

    /** Checkpoint tensors no parameter took, in file order; position_ids buffers are not weights and are left out. */
    List<String> unused() {
        List<String> unused = new ArrayList<>();
        for (String name : reader.names()) {
            if (!used.contains(name) && !name.endsWith("embeddings.position_ids")) {
                unused.add(name);
            }
        }
        return unused;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
