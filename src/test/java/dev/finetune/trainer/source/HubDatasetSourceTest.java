package dev.finetune.trainer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.DatasetSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubDatasetSourceTest {
    private static final String COMMIT = "feedfacefeedfacefeedfacefeedfacefeedface";

    @TempDir
    Path workspace;
    @TempDir
    Path scratch;

    private FakeHub hub;

    @BeforeEach
    void setUp() throws Exception {
        hub = new FakeHub();
        byte[] train0 = ParquetFixture.mrpcLike(scratch, "t0.parquet",
                "('Amrozi accused his brother , whom he called \" the witness \" .', 'Referring to him as only \" the witness \" .', 1, 0),"
                        + "('Yucaipa owned Dominick''s .', 'Yucaipa bought Dominick''s in 1995 .', 0, 1)");
        byte[] train1 = ParquetFixture.mrpcLike(scratch, "t1.parquet", "('third', 'row', 1, 2)");
        byte[] validation = ParquetFixture.mrpcLike(scratch, "v0.parquet", "('He said .', 'He had said .', 1, 0)");
        byte[] cola = ParquetFixture.mrpcLike(scratch, "c0.parquet", "('x', 'y', 0, 0)");
        hub.addRepo("datasets/nyu-mll/glue", SourceResolver.PARQUET_REVISION, COMMIT, FakeHub.files(
                "mrpc/train/0001.parquet", train1,
                "mrpc/train/0000.parquet", train0,
                "mrpc/validation/0000.parquet", validation,
                "cola/train/0000.parquet", cola),
                Set.of("mrpc/train/0000.parquet", "mrpc/train/0001.parquet", "mrpc/validation/0000.parquet", "cola/train/0000.parquet"), null);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private SourceResolver resolver() {
        return new SourceResolver(workspace, workspace.resolve(".cache/hub"), null, workspace, hub.endpoint(),
                DownloadListener.NONE, new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)), Duration.ZERO);
    }

    private static DatasetSource glue(String config, String evalSplit) {
        DatasetSource dataset = new DatasetSource();
        dataset.uri = "hf://nyu-mll/glue";
        dataset.config = config;
        dataset.evalSplit = evalSplit;
        return dataset;
    }

    @Test
    void theParquetConversionBecomesOneJsonlFilePerSplit() throws Exception {
        DatasetFiles files = resolver().resolveDataset(glue("mrpc", "validation"));

        assertEquals(List.of("train", "validation"), List.copyOf(files.splits().keySet()));
        // the data readers' shape: a folder of <split>.jsonl files, read as JSONL
        assertEquals(files.location().resolve("train.jsonl"), files.file("train"));
        assertEquals(files.location().resolve("validation.jsonl"), files.file("validation"));
        assertEquals("jsonl", files.format());
        List<String> train = Files.readAllLines(files.file("train"));
        assertEquals(List.of(
                "{\"sentence1\":\"Amrozi accused his brother , whom he called \\\" the witness \\\" .\","
                        + "\"sentence2\":\"Referring to him as only \\\" the witness \\\" .\",\"label\":1,\"idx\":0}",
                "{\"sentence1\":\"Yucaipa owned Dominick's .\",\"sentence2\":\"Yucaipa bought Dominick's in 1995 .\",\"label\":0,\"idx\":1}",
                "{\"sentence1\":\"third\",\"sentence2\":\"row\",\"label\":1,\"idx\":2}"), train, "shards in order, columns by name");
        assertEquals(1, Files.readAllLines(files.file("validation")).size());
        assertEquals("GET /api/datasets/nyu-mll/glue/revision/refs/convert/parquet", FakeHub.names(hub.requests).get(0));
        assertEquals(3, hub.requests("GET", "/cdn/").size(), "only mrpc's files are downloaded");
        assertTrue(Files.isDirectory(workspace.resolve(".cache/hub/datasets--nyu-mll--glue/snapshots/" + COMMIT + "/mrpc/train")));
    }

    @Test
    void aSecondResolveOnlyAsksForTheRevision() throws Exception {
        DatasetFiles first = resolver().resolveDataset(glue("mrpc", "validation"));
        hub.requests.clear();

        DatasetFiles second = resolver().resolveDataset(glue("mrpc", "validation"));

        assertEquals(first, second);
        assertEquals(List.of("GET /api/datasets/nyu-mll/glue/revision/refs/convert/parquet"), FakeHub.names(hub.requests));
    }

    @Test
    void unknownSplitsAndConfigsNameWhatExists() {
        SourceException split = assertThrows(SourceException.class, () -> resolver().resolveDataset(glue("mrpc", "test")));
        assertEquals(SourceException.PERMANENT, split.exitCode());
        assertTrue(split.getMessage().startsWith("spec.dataset.evalSplit") && split.getMessage().contains("[train, validation]"),
                split.getMessage());

        SourceException config = assertThrows(SourceException.class, () -> resolver().resolveDataset(glue("sst2", null)));
        assertTrue(config.getMessage().startsWith("spec.dataset.config") && config.getMessage().contains("[cola, mrpc]"),
                config.getMessage());
    }

    @Test
    void aMissingDatasetIsPermanent() {
        DatasetSource dataset = glue("mrpc", null);
        dataset.uri = "hf://nobody/nothing";
        SourceException e = assertThrows(SourceException.class, () -> resolver().resolveDataset(dataset));
        assertEquals(SourceException.PERMANENT, e.exitCode());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }
}
