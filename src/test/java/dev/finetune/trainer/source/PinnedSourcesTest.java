package dev.finetune.trainer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.DatasetSource;
import dev.finetune.api.ModelSource;
import dev.finetune.api.ResolvedSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commits a run's first start resolved are read again by every later start of that run (a retry, a resume), even
 * after the branch moved on the Hub between the two; a new run, or a changed spec, resolves anew.
 */
class PinnedSourcesTest {
    private static final String MODEL_1 = "1111111111111111111111111111111111111111";
    private static final String MODEL_2 = "2222222222222222222222222222222222222222";
    private static final String DATA_1 = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
    private static final String DATA_2 = "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workspace;
    @TempDir
    Path scratch;

    private FakeHub hub;
    private Path output;

    @BeforeEach
    void setUp() throws Exception {
        hub = new FakeHub();
        output = workspace.resolve("job");
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private SourceResolver resolver(String cache) {
        return new SourceResolver(workspace, workspace.resolve(cache), null, workspace, hub.endpoint(),
                DownloadListener.NONE, new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)), Duration.ZERO);
    }

    private byte[] pushModel(String commit, long seed) {
        byte[] weights = new byte[200_000];
        new Random(seed).nextBytes(weights);
        hub.addRepo("models/org/tiny-bert", "main", commit, FakeHub.files(
                "config.json", "{\"model_type\":\"bert\"}", "model.safetensors", weights, "vocab.txt", "[PAD]\n"),
                Set.of("model.safetensors"), null);
        return weights;
    }

    private void pushConversion(String commit, String rows) throws Exception {
        byte[] train = ParquetFixture.mrpcLike(scratch, commit + ".parquet", rows);
        hub.addRepo("datasets/nyu-mll/glue", SourceResolver.PARQUET_REVISION, commit,
                FakeHub.files("mrpc/train/0000.parquet", train), Set.of("mrpc/train/0000.parquet"), null);
    }

    private static ModelSource model() {
        ModelSource model = new ModelSource();
        model.uri = "hf://org/tiny-bert";
        return model;
    }

    private static DatasetSource glue() {
        DatasetSource dataset = new DatasetSource();
        dataset.uri = "hf://nyu-mll/glue";
        dataset.config = "mrpc";
        return dataset;
    }

    private ResolvedSources recorded() throws Exception {
        return JSON.readValue(output.resolve(SourcePins.FILE_NAME).toFile(), ResolvedSources.class);
    }

    @Test
    void aSecondStartReadsTheModelCommitOfTheFirstAfterMainMoved() throws Exception {
        byte[] first = pushModel(MODEL_1, 1);
        Path firstDir = resolver(".cache/hub").resolveModel(model(), SourcePins.read(output));
        assertEquals(MODEL_1, recorded().model.commit);
        assertEquals("main", recorded().model.revision);
        assertEquals("hf://org/tiny-bert", recorded().model.uri);

        byte[] second = pushModel(MODEL_2, 2); // someone pushes to main between the two starts
        hub.requests.clear();
        Path again = resolver(".cache/hub").resolveModel(model(), SourcePins.read(output));

        assertEquals(firstDir, again);
        assertArrayEquals(first, Files.readAllBytes(again.resolve("model.safetensors")));
        assertEquals(List.of(), hub.requests, "a pinned commit in the cache needs no request");

        // A cache without it (emptied to free space): the pinned commit is asked for, never main.
        hub.requests.clear();
        Path fresh = resolver("other-cache").resolveModel(model(), SourcePins.read(output));
        assertArrayEquals(first, Files.readAllBytes(fresh.resolve("model.safetensors")));
        assertEquals("GET /api/models/org/tiny-bert/revision/" + MODEL_1, FakeHub.names(hub.requests).get(0));
        assertEquals(MODEL_1, recorded().model.commit);

        // Another run (another output folder) starts from main as it is now.
        Path newRun = resolver(".cache/hub").resolveModel(model(), SourcePins.read(workspace.resolve("new-job")));
        assertArrayEquals(second, Files.readAllBytes(newRun.resolve("model.safetensors")));
    }

    @Test
    void aSecondStartReadsTheDatasetConversionOfTheFirstAfterItMoved() throws Exception {
        pushConversion(DATA_1, "('first', 'version', 1, 0)");
        DatasetFiles first = resolver(".cache/hub").resolveDataset(glue(), SourcePins.read(output));
        assertEquals(DATA_1, recorded().dataset.commit);
        assertEquals("main", recorded().dataset.revision, "the revision as the spec asks for it");

        pushConversion(DATA_2, "('second', 'version', 0, 0), ('more', 'rows', 1, 1)");
        hub.requests.clear();
        DatasetFiles again = resolver(".cache/hub").resolveDataset(glue(), SourcePins.read(output));

        assertEquals(first, again);
        assertEquals(List.of(), hub.requests, "a pinned commit already converted needs no request");
        DatasetFiles fresh = resolver("other-cache").resolveDataset(glue(), SourcePins.read(output));
        assertEquals(Files.readAllLines(first.file("train")), Files.readAllLines(fresh.file("train")));
        assertEquals("GET /api/datasets/nyu-mll/glue/revision/" + DATA_1, FakeHub.names(hub.requests).get(0));

        DatasetFiles newRun = resolver(".cache/hub").resolveDataset(glue(), SourcePins.read(workspace.resolve("new-job")));
        assertEquals(2, Files.readAllLines(newRun.file("train")).size(), "a new run reads the conversion as it is now");
    }

    @Test
    void aDatasetRevisionOtherThanMainIsReadAndPinnedAsAsked() throws Exception {
        pushConversion(DATA_1, "('first', 'version', 1, 0)");
        pushConversion(DATA_2, "('second', 'version', 0, 0), ('more', 'rows', 1, 1)");
        DatasetSource pinnedByHand = glue();
        pinnedByHand.revision = DATA_1; // the commit status.sources.dataset.commit showed

        DatasetFiles files = resolver(".cache/hub").resolveDataset(pinnedByHand, SourcePins.read(output));

        assertEquals(1, Files.readAllLines(files.file("train")).size());
        assertEquals("GET /api/datasets/nyu-mll/glue/revision/" + DATA_1, FakeHub.names(hub.requests).get(0));
        assertEquals(DATA_1, recorded().dataset.revision);
        assertEquals(DATA_1, recorded().dataset.commit);
    }

    @Test
    void aChangedSpecResolvesAnewAndRecordsIt() throws Exception {
        pushModel(MODEL_1, 1);
        resolver(".cache/hub").resolveModel(model(), SourcePins.read(output));
        pushModel(MODEL_2, 2);
        hub.addRepo("models/org/tiny-bert", "v2", MODEL_2, FakeHub.files(
                "config.json", "{\"model_type\":\"bert\"}", "model.safetensors", new byte[10], "vocab.txt", "[PAD]\n"), Set.of(), null);
        ModelSource changed = model();
        changed.revision = "v2";

        SourcePins pins = SourcePins.read(output);
        resolver(".cache/hub").resolveModel(changed, pins);

        assertEquals("v2", recorded().model.revision);
        assertEquals(MODEL_2, recorded().model.commit);
        assertEquals(MODEL_2, pins.sources().model.commit, "what the status shows");
        assertNull(pins.sources().dataset);
    }

    @Test
    void aBrokenPinFileIsNamed() throws Exception {
        Files.createDirectories(output);
        Files.writeString(output.resolve(SourcePins.FILE_NAME), "{not json");

        SourceException e = assertThrows(SourceException.class, () -> SourcePins.read(output));
        assertEquals(SourceException.PERMANENT, e.exitCode());
        assertTrue(e.getMessage().startsWith(output.resolve(SourcePins.FILE_NAME).toString()), e.getMessage());
    }
}
