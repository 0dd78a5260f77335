package dev.finetune.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.ModelFamilies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The shared hf-oracle cases as the pre-tokenised CLI tests use them: which run, and their model folders. */
final class OracleCases {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path ORACLE = Path.of(System.getProperty("finetune.shared", "../shared")).resolve("fixtures/hf-oracle");

    private OracleCases() {}

    /** The names of the case folders {@code wanted} takes (a placeholder that skips when the shared folder is absent). */
    static Stream<String> names(Predicate<Path> wanted) throws IOException {
        if (!Files.isDirectory(ORACLE)) {
            return Stream.of("(no shared folder)");
        }
        try (Stream<Path> dirs = Files.list(ORACLE)) {
            return dirs.filter(wanted).map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** The case, or a skip when the shared folder is absent or its model_type is not registered. */
    static HfOracleCase registered(String name) throws IOException {
        assumeTrue(Files.isDirectory(ORACLE.resolve(name)), "skipped: " + ORACLE + " is absent (set -Dfinetune.shared)");
        String modelType = JSON.readTree(ORACLE.resolve(name).resolve("config.json").toFile()).path("model_type").asText();
        assumeTrue(ModelFamilies.supported().contains(modelType), name + ": model_type " + modelType + " is not registered");
        return HfOracleCase.load(name);
    }

    /**
     * {@code dir}/model with {@code from}'s config.json and model.safetensors only (no tokenizer); for training, with
     * dropout off (the fixture trains in eval mode).
     */
    static Path modelWithoutTokenizer(Path from, Path dir, boolean noDropout) throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        ObjectNode config = (ObjectNode) JSON.readTree(from.resolve("config.json").toFile());
        if (noDropout) {
            List<String> dropouts = new ArrayList<>();
            config.fieldNames().forEachRemaining(field -> {
                if (field.contains("dropout")) {
                    dropouts.add(field);
                }
            });
            dropouts.forEach(field -> config.put(field, 0.0));
            config.put("classifier_dropout", 0.0);
        }
        Files.writeString(model.resolve("config.json"), JSON.writeValueAsString(config));
        Files.copy(from.resolve("model.safetensors"), model.resolve("model.safetensors"));
        return model;
    }

    /** {@code dir}/job.yaml: a FineTuneJob named {@code name} on model/ and data/'s train split, no evaluation. */
    static Path writeManifest(Path dir, String name, String task, String training) throws IOException {
        return TinyJobFolder.writeManifest(dir, name, "uri: model\n", """
                uri: data
                trainSplit: train
                """, task, training);
    }
}
