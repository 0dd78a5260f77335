package dev.finetune.trainer.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Which files make a Hugging Face model folder that the trainer can load: config, safetensors weights, tokenizer. */
final class ModelFiles {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    /** Tokenizer files: each is fetched where the repo has it; tokenizer.json or vocab.txt is what the loader reads. */
    static final List<String> TOKENIZER = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt");
    private static final List<String> OTHER_WEIGHTS = List.of("pytorch_model.bin", "pytorch_model.bin.index.json",
            "tf_model.h5", "flax_model.msgpack", "model.onnx", "onnx/model.onnx");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {
    }

    /** The config, the weights file or index, and the tokenizer files among {@code files} (a Hub file list). */
    static List<String> wanted(Collection<String> files, String where, String field) throws SourceException {
        if (!files.contains(CONFIG)) {
            throw SourceException.permanent(field + ": " + where + " has no " + CONFIG + ", so it is not a Hugging Face model");
        }
        List<String> wanted = new ArrayList<>();
        wanted.add(CONFIG);
        if (files.contains(WEIGHTS)) {
            wanted.add(WEIGHTS);
        } else if (files.contains(WEIGHTS_INDEX)) {
            wanted.add(WEIGHTS_INDEX);
        } else {
            throw noSafetensors(files, where, field);
        }
        for (String name : TOKENIZER) {
            if (files.contains(name)) {
                wanted.add(name);
            }
        }
        return wanted;
    }

    static SourceException noSafetensors(Collection<String> files, String where, String field) {
        List<String> found = OTHER_WEIGHTS.stream().filter(files::contains).toList();
        return SourceException.permanent(field + ": " + where + " has no safetensors weights (" + WEIGHTS + " or " + WEIGHTS_INDEX + ")"
                + (found.isEmpty() ? "" : "; it has " + String.join(", ", found))
                + ". The trainer reads safetensors only: pick a revision that has them or convert the weights");
    }

    /** The shard files named by a {@code model.safetensors.index.json}, sorted, each once. */
    static List<String> shards(Path index, String field) throws SourceException {
        try {
            JsonNode weightMap = JSON.readTree(Files.readString(index)).path("weight_map");
            if (!weightMap.isObject() || weightMap.isEmpty()) {
                throw SourceException.permanent(field + ": " + index + " has no weight_map");
            }
            TreeSet<String> shards = new TreeSet<>();
            for (Iterator<JsonNode> it = weightMap.elements(); it.hasNext(); ) {
                String shard = it.next().asText();
                if (shard.isEmpty() || shard.contains("..") || shard.startsWith("/")) {
                    throw SourceException.permanent(field + ": " + index + " names an invalid shard '" + shard + "'");
                }
                shards.add(shard);
            }
            return new ArrayList<>(shards);
        } catch (IOException e) {
            throw SourceException.permanent(field + ": cannot read " + index + ": " + e.getMessage());
        }
    }

    /** A local folder holds a model config, enough for random initialisation. */
    static void checkConfig(Path dir, String field) throws SourceException {
        checkNotAFile(dir, field);
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw SourceException.permanent(field + ": " + dir + " has no " + CONFIG + ", so it is not a Hugging Face model");
        }
    }

    /** A model URI names the folder of a model: one that points at a file (its config.json, say) is told so. */
    private static void checkNotAFile(Path path, String field) throws SourceException {
        if (Files.isRegularFile(path)) {
            Path parent = path.toAbsolutePath().getParent();
            throw SourceException.permanent(field + ": " + path + " is a file, not a model folder; point " + field
                    + " at the folder that holds config.json" + (parent != null && Files.isRegularFile(parent.resolve(CONFIG))
                            ? " (" + parent + ")" : ""));
        }
    }

    /** A local folder holds a loadable model: a config and all of its safetensors weights. */
    static void checkFolder(Path dir, String field) throws SourceException {
        checkNotAFile(dir, field);
        if (!Files.isDirectory(dir)) {
            throw SourceException.permanent(field + ": " + dir + " is not a folder");
        }
        List<String> present = new ArrayList<>();
        try (var list = Files.list(dir)) {
            list.forEach(p -> present.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw SourceException.permanent(field + ": cannot list " + dir + ": " + e.getMessage());
        }
        wanted(present, dir.toString(), field);
        if (!present.contains(WEIGHTS)) {
            for (String shard : shards(dir.resolve(WEIGHTS_INDEX), field)) {
                if (!Files.isRegularFile(dir.resolve(shard))) {
                    throw SourceException.permanent(field + ": " + dir + " lacks the shard " + shard + " named by " + WEIGHTS_INDEX);
                }
            }
        }
    }
}
