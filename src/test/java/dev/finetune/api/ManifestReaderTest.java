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

    @Test
    void aKeyGivenTwiceNamesTheLineAndTheField() throws Exception {
        Path file = write("apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n  training:\n"
                + "    numTrainEpochs: 3\n    numTrainEpochs: 4\n");
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertEquals(file + ":7: spec.training.numTrainEpochs is given twice; keep one of the two lines", e.getMessage());
    }

    @Test
    void aFloatOrATextInAnIntegerFieldIsRefused() throws Exception {
        Path floats = write("apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n"
                + "  training: {perDeviceTrainBatchSize: 8.5}\n");
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(floats));
        assertEquals(true, e.getMessage().startsWith(floats + ":5: spec.training.perDeviceTrainBatchSize: expected an integer"), e.getMessage());
        Path text = write("apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n"
                + "  training: {perDeviceTrainBatchSize: \"8\"}\n");
        assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(text));
    }

    @Test
    void aNullOverADefaultIsRefusedAndANullWithoutOneMeansUnset() throws Exception {
        Path file = write("apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n"
                + "  training: {evalStrategy: null}\n");
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertEquals(file + ": spec.training.evalStrategy is null; remove the line to keep the default (no) or give a value", e.getMessage());
        Path unset = write("apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n"
                + "  training: {saveTotalLimit: null}\n");
        assertEquals(null, ManifestReader.read(unset).getSpec().training.saveTotalLimit);
    }

    @Test
    void bytesThatAreNotUtf8AndAListAreNamed() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.write(file, "apiVersion: finetune.dev/v1alpha1\nkind: FineTuneJob\nmetadata:\n  name: x\u00ff\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        var e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertEquals(file + ":4: not UTF-8 text (byte 0xff at column 10); save the manifest as UTF-8", e.getMessage());
        Path list = write("- a\n- b\n");
        e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(list));
        assertEquals(true, e.getMessage().contains("expected a FineTuneJob mapping"), e.getMessage());
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
