package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared model and data that surefire points to with -Dfinetune.shared; tests skip where they are absent. */
final class SharedFiles {
    private SharedFiles() {}

    static Path miniLm() {
        return require("models/all-MiniLM-L6-v2", "model.safetensors");
    }

    static Path mrpcValidation() {
        return require("data/glue-mrpc", "validation.jsonl").resolve("validation.jsonl");
    }

    private static Path require(String folder, String file) {
        String shared = System.getProperty("finetune.shared", "../shared");
        Path dir = Path.of(shared).resolve(folder);
        assumeTrue(Files.isRegularFile(dir.resolve(file)),
                "skipped: " + dir.resolve(file) + " is absent (set -Dfinetune.shared to the shared folder)");
        return dir;
    }
}
