package dev.finetune.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsAManifestAndKeepsDefaultsForWhatItOmits() throws Exception {
        FineTuneJob job = ManifestReader.read(write("""
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata: {name: bert-mrpc}
                spec:
                  model: {uri: hf://bert-base-uncased}
                  dataset: {uri: hf://nyu-mll/glue, config: mrpc, evalSplit: validation}
                  training: {learningRate: 2.0e-5, evalStrategy: epoch}
                """));
        assertEquals("bert-mrpc", job.getMetadata().getName());
        assertEquals(2.0e-5, job.getSpec().training.learningRate);
        assertEquals(8, job.getSpec().training.perDeviceTrainBatchSize);
        assertEquals(3.0, job.getSpec().training.numTrainEpochs);
        assertEquals(128, job.getSpec().task.maxLength);
        assertEquals("main", job.getSpec().model.revision);
    }

    @Test
    void aMisspelledFieldNamesTheFileTheLineAndTheField() throws Exception {
        Path file = write("""
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata: {name: bert-mrpc}
                spec:
                  model: {uri: hf://bert-base-uncased}
                  training:
                    learningRte: 2.0e-5
                """);
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertEquals(file + ":7: spec.training.learningRte: unknown field", e.getMessage());
    }

    @Test
    void aWrongTypeNamesTheField() throws Exception {
        Path file = write("""
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata: {name: x}
                spec:
                  training: {perDeviceTrainBatchSize: eight}
                """);
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertEquals(true, e.getMessage().startsWith(file + ":5: spec.training.perDeviceTrainBatchSize: "), e.getMessage());
    }

    @Test
    void anotherKindOrAMissingFileIsRefused() throws Exception {
        Path file = write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
        assertEquals(file + ": kind is ConfigMap, expected FineTuneJob",
                assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file)).getMessage());
        Path missing = dir.resolve("missing.yaml");
        assertEquals(missing + ": no such file",
                assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(missing)).getMessage());
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
