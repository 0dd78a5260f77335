package dev.finetune.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A run's folder name changes with what makes it another run, and only with that. */
class RunIdTest {
    private static FineTuneJobSpec mrpc() throws Exception {
        return ManifestReader.read(Path.of("examples", "mrpc.yaml")).getSpec();
    }

    private static String after(Consumer<FineTuneJobSpec> change) throws Exception {
        FineTuneJobSpec spec = mrpc();
        change.accept(spec);
        return RunId.of(spec);
    }

    @Test
    void sameTrainingSpecSameRun() throws Exception {
        String id = RunId.of(mrpc());
        assertTrue(id.matches("run-[0-9a-f]{10}"), id);
        assertEquals(id, RunId.of(mrpc()));
        // Where and how it runs is not what it learns.
        assertEquals(id, after(s -> s.resources.gpus = 4));
        assertEquals(id, after(s -> s.image = "example.com/trainer:next"));
        assertEquals(id, after(s -> s.suspend = true));
        assertEquals(id, after(s -> s.backoffLimit = 9));
        assertEquals(id, after(s -> s.training.resumeFromCheckpoint = false));
        assertEquals(id, after(s -> {
            s.model.tokenSecretRef = new SecretKeyRef();
            s.model.tokenSecretRef.name = "other";
        }));
    }

    @Test
    void changedTrainingSpecIsAnotherRun() throws Exception {
        String id = RunId.of(mrpc());
        assertNotEquals(id, after(s -> s.training.learningRate = 1e-4));
        assertNotEquals(id, after(s -> s.training.seed = 7L));
        assertNotEquals(id, after(s -> s.training.numTrainEpochs = 5.0));
        assertNotEquals(id, after(s -> s.model.uri = "hf://google-bert/bert-large-uncased"));
        assertNotEquals(id, after(s -> s.dataset.uri = "file:///data/mrpc"));
        assertNotEquals(id, after(s -> s.task.numLabels = 3));
        assertNotEquals(id, after(s -> s.training.fp16 = true));
    }

    @Test
    void aFieldAtItsDefaultCountsAsAbsent() throws Exception {
        // What a newer version adds with a default that keeps the old behaviour must not move running jobs: as if
        // an older operator, blind to fp16, had hashed the spec.
        String id = RunId.of(mrpc());
        assertEquals(id, after(s -> s.training.fp16 = null));
        assertEquals(id, after(s -> s.training.fp16 = false));
        assertEquals(id, after(s -> s.training.tf32 = null));
        assertEquals(id, after(s -> s.task.maxLength = new TaskSpec().maxLength));
    }
}
