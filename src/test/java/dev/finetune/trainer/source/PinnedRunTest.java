package dev.finetune.trainer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.ManifestReader;
import dev.finetune.api.TrainerReport;
import dev.finetune.trainer.TrainingJob;
import dev.finetune.trainer.metrics.ProgressReporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole training job on a Hub dataset whose conversion moves between the first start and the retry: the retry
 * resumes on the pinned commit (with another row count it could not resume at all) and reports it.
 */
class PinnedRunTest {
    private static final String DATA_1 = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
    private static final String DATA_2 = "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2";

    @TempDir
    Path workspace;
    @TempDir
    Path scratch;

    private FakeHub hub;

    @BeforeEach
    void setUp() throws Exception {
        hub = new FakeHub();
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private void pushConversion(String commit, int rows) throws Exception {
        StringJoiner values = new StringJoiner(",");
        for (int i = 0; i < rows; i++) {
            values.add("('the company said profit rose " + i + "', 'profit went up " + (i % 3) + "', " + (i % 2) + ", " + i + ")");
        }
        byte[] train = ParquetFixture.mrpcLike(scratch, commit + ".parquet", values.toString());
        hub.addRepo("datasets/nyu-mll/glue", SourceResolver.PARQUET_REVISION, commit,
                FakeHub.files("mrpc/train/0000.parquet", train), Set.of("mrpc/train/0000.parquet"), null);
    }

    private FineTuneJob job() throws Exception {
        FineTuneJob job = ManifestReader.read(Path.of("examples", "quickstart.yaml"));
        job.getSpec().model.uri = Path.of("examples", "quickstart", "model").toAbsolutePath().toUri().toString();
        job.getSpec().dataset.uri = "hf://nyu-mll/glue";
        job.getSpec().dataset.config = "mrpc";
        job.getSpec().dataset.evalSplit = null;
        job.getSpec().training.evalStrategy = "no";
        job.getSpec().training.saveStrategy = "steps";
        job.getSpec().training.saveSteps = 2;
        job.getSpec().training.maxSteps = 4;
        job.getSpec().training.perDeviceTrainBatchSize = 4;
        return job;
    }

    private TrainerReport start(Path output) throws Exception {
        SourceResolver sources = new SourceResolver(workspace, workspace.resolve(".cache/hub"), null, workspace, hub.endpoint(),
                DownloadListener.NONE, new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)), Duration.ZERO);
        ProgressReporter progress = new ProgressReporter();
        new TrainingJob(job(), output, sources, progress, null, List.of(), new PrintStream(new ByteArrayOutputStream()), false).run();
        return progress.snapshot();
    }

    @Test
    void aRetryAfterTheConversionMovedResumesOnThePinnedCommit() throws Exception {
        Path output = workspace.resolve("quickstart");
        pushConversion(DATA_1, 16);
        TrainerReport first = start(output);
        assertEquals(DATA_1, first.sources.dataset.commit);
        assertNull(first.sources.model, "a local model has no commit to pin");
        assertTrue(Files.isDirectory(output.resolve("checkpoint-4")));

        pushConversion(DATA_2, 24); // the dataset changes on the Hub before the retry
        hub.requests.clear();
        TrainerReport retry = start(output);

        assertEquals(DATA_1, retry.sources.dataset.commit);
        assertEquals("main", retry.sources.dataset.revision);
        assertEquals(4L, retry.progress.step, "resumed from checkpoint-4 of the same data");
        assertEquals(List.of(), hub.requests("GET", "/api/datasets/nyu-mll/glue/revision/refs"), "main is not asked again");
        assertTrue(Files.readString(output.resolve(SourcePins.FILE_NAME)).contains(DATA_1));
    }
}
