package dev.finetune.trainer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalAndHttpSourceTest {
    @TempDir
    Path workspace;
    @TempDir
    Path manifestDir;

    private FakeHub server;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeHub();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private SourceResolver resolver() {
        return new SourceResolver(workspace, workspace.resolve(".cache/hub"), "hf_token_for_the_hub_only", manifestDir,
                URI_OF_A_HUB_ELSEWHERE, DownloadListener.NONE, new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)), Duration.ZERO);
    }

    private static final java.net.URI URI_OF_A_HUB_ELSEWHERE = java.net.URI.create("https://hub.invalid");

    private static DatasetSource dataset(String uri, String evalSplit) {
        DatasetSource dataset = new DatasetSource();
        dataset.uri = uri;
        dataset.evalSplit = evalSplit;
        return dataset;
    }

    private static ModelSource model(String uri) {
        ModelSource model = new ModelSource();
        model.uri = uri;
        return model;
    }

    @Test
    void aRelativeFolderHoldsOneFilePerSplit() throws Exception {
        Path data = Files.createDirectories(manifestDir.resolve("data"));
        Files.writeString(data.resolve("train.jsonl"), "{\"a\":1}\n");
        Files.writeString(data.resolve("validation.csv"), "a\n1\n");

        DatasetFiles files = resolver().resolveDataset(dataset("data", "validation"));

        assertEquals(data.resolve("train.jsonl"), files.file("train"));
        assertEquals(data.resolve("validation.csv"), files.file("validation"));
        assertEquals(data, files.location());
        assertEquals("auto", files.format());
    }

    @Test
    void pvcPathsAreUnderTheWorkspaceAndStayThere() throws Exception {
        Path data = Files.createDirectories(workspace.resolve("datasets/mrpc"));
        Files.writeString(data.resolve("train.tsv"), "a\tb\n");

        assertEquals(data.resolve("train.tsv"), resolver().resolveDataset(dataset("pvc://datasets/mrpc", null)).file("train"));

        SourceException escape = assertThrows(SourceException.class, () -> resolver().resolveDataset(dataset("pvc://../etc", null)));
        assertTrue(escape.getMessage().contains("leaves the job's volume"), escape.getMessage());
        SourceException missing = assertThrows(SourceException.class, () -> resolver().resolveDataset(dataset("pvc://nothing/here", null)));
        assertEquals(SourceException.PERMANENT, missing.exitCode());
        assertTrue(missing.getMessage().startsWith("spec.dataset.uri 'pvc://nothing/here'"), missing.getMessage());
    }

    @Test
    void aMissingSplitFileSaysWhatWasLookedFor() throws Exception {
        Path data = Files.createDirectories(manifestDir.resolve("data"));
        Files.writeString(data.resolve("train.jsonl"), "{}\n");

        SourceException e = assertThrows(SourceException.class, () -> resolver().resolveDataset(dataset("data", "validation")));

        assertTrue(e.getMessage().contains("no file for split 'validation'") && e.getMessage().contains("validation.jsonl"), e.getMessage());
    }

    @Test
    void aLocalParquetFileIsConvertedOnceIntoTheCache() throws Exception {
        ParquetFixture.mrpcLike(manifestDir, "train.parquet", "('a', 'b', 1, 0), ('c', 'd', 0, 1)");
        DatasetSource source = dataset("file://" + manifestDir.resolve("train.parquet"), null);

        Path jsonl = resolver().resolveDataset(source).file("train");

        assertTrue(jsonl.startsWith(workspace.resolve(".cache/hub")), jsonl.toString());
        assertEquals(List.of("{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1,\"idx\":0}",
                "{\"sentence1\":\"c\",\"sentence2\":\"d\",\"label\":0,\"idx\":1}"), Files.readAllLines(jsonl));
        assertEquals(jsonl, resolver().resolveDataset(source).location());
        assertEquals("jsonl", resolver().resolveDataset(source).format());
        long modified = Files.getLastModifiedTime(jsonl).toMillis();
        assertEquals(jsonl, resolver().resolveDataset(source).file("train"));
        assertEquals(modified, Files.getLastModifiedTime(jsonl).toMillis(), "not converted again");
    }

    @Test
    void aFolderMixingParquetAndCsvBecomesOneFolderOfSplitFiles() throws Exception {
        Path data = Files.createDirectories(manifestDir.resolve("mixed"));
        ParquetFixture.mrpcLike(data, "train.parquet", "('a', 'b', 1, 0)");
        Files.writeString(data.resolve("validation.csv"), "sentence1,sentence2,label\nc,d,0\n");

        DatasetFiles files = resolver().resolveDataset(dataset("mixed", "validation"));

        assertEquals(files.location().resolve("train.jsonl"), files.file("train"));
        assertEquals(files.location().resolve("validation.csv"), files.file("validation"));
        assertEquals("sentence1,sentence2,label\nc,d,0\n", Files.readString(files.file("validation")));
        assertEquals("auto", files.format());
    }

    @Test
    void aSingleFileHoldsOneSplitOnly() throws Exception {
        Files.writeString(manifestDir.resolve("all.jsonl"), "{}\n");
        SourceException e = assertThrows(SourceException.class, () -> resolver().resolveDataset(dataset("all.jsonl", "validation")));
        assertTrue(e.getMessage().startsWith("spec.dataset.evalSplit"), e.getMessage());
    }

    @Test
    void anHttpsDatasetNamesItsSplitsWithAPlaceholder() throws Exception {
        server.addPlainFile("/mrpc/train.jsonl", "{\"a\":1}\n".getBytes());
        byte[] parquet = ParquetFixture.mrpcLike(manifestDir, "v.parquet", "('x', 'y', 1, 0)");
        server.addPlainFile("/mrpc/validation.parquet", parquet);
        DatasetSource train = dataset(server.endpoint() + "/mrpc/{split}.jsonl", null);
        DatasetSource validation = dataset(server.endpoint() + "/mrpc/validation.parquet", null);
        validation.trainSplit = "validation";

        Path trainFile = resolver().resolveDataset(train).file("train");
        Path validationFile = resolver().resolveDataset(validation).file("validation");

        assertEquals("{\"a\":1}\n", Files.readString(trainFile));
        assertEquals("train.jsonl", trainFile.getFileName().toString());
        assertEquals("validation.jsonl", validationFile.getFileName().toString());
        assertEquals(List.of("{\"sentence1\":\"x\",\"sentence2\":\"y\",\"label\":1,\"idx\":0}"), Files.readAllLines(validationFile));
        assertTrue(server.requests.stream().allMatch(r -> r.authorization() == null), "the Hub token goes to the Hub only");
        server.requests.clear();
        assertEquals(trainFile, resolver().resolveDataset(train).file("train"));
        assertEquals(List.of(), server.requests, "cached by URL");
    }

    @Test
    void aPartialFileLongerThanTheRemoteOneStartsOver() throws Exception {
        server.addPlainFile("/data/train.jsonl", "{\"a\":1}\n".getBytes());
        String url = server.endpoint() + "/data/train.jsonl";
        Path dir = workspace.resolve(".cache/hub/url--" + SourceResolver.shortHash(url));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.jsonl.incomplete"), "an older, longer version of the file\n");

        Path file = resolver().resolveDataset(dataset(url, null)).file("train");

        assertEquals("{\"a\":1}\n", Files.readString(file));
        assertEquals(2, server.requests("GET", "/data/").size(), "a 416 to the resume, then the whole file");
    }

    @Test
    void anHttpsModelIsAFolderOfTheStandardFileNames() throws Exception {
        byte[] weights = new byte[100_000];
        new java.util.Random(1).nextBytes(weights);
        server.addPlainFile("/models/tiny/config.json", "{}".getBytes());
        server.addPlainFile("/models/tiny/model.safetensors", weights);
        server.addPlainFile("/models/tiny/vocab.txt", "[PAD]\n".getBytes());

        Path dir = resolver().resolveModel(model(server.endpoint() + "/models/tiny"));

        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertTrue(Files.exists(dir.resolve("vocab.txt")));
        assertFalse(Files.exists(dir.resolve("tokenizer.json")), "absent tokenizer files are skipped");

        server.addPlainFile("/models/empty/config.json", "{}".getBytes());
        SourceException e = assertThrows(SourceException.class, () -> resolver().resolveModel(model(server.endpoint() + "/models/empty/")));
        assertTrue(e.getMessage().contains("no safetensors weights"), e.getMessage());
    }

    @Test
    void aLocalModelFolderIsCheckedAndUsedInPlace() throws Exception {
        Path shared = Path.of(System.getProperty("finetune.shared", "../shared"), "models/all-MiniLM-L6-v2");
        assumeTrue(Files.isRegularFile(shared.resolve("model.safetensors")), "shared model absent");

        assertEquals(shared.toAbsolutePath().normalize(), resolver().resolveModel(model("file://" + shared.toAbsolutePath().normalize())));
    }

    @Test
    void aLocalFolderWithoutSafetensorsIsAClearError() throws Exception {
        Path dir = Files.createDirectories(workspace.resolve("old-model"));
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.write(dir.resolve("pytorch_model.bin"), new byte[10]);

        SourceException e = assertThrows(SourceException.class, () -> resolver().resolveModel(model("pvc://old-model")));

        assertEquals(SourceException.PERMANENT, e.exitCode());
        assertTrue(e.getMessage().contains("no safetensors weights") && e.getMessage().contains("pytorch_model.bin"), e.getMessage());
    }

    @Test
    void badUrisAreRejectedNamingTheField() {
        for (String uri : List.of("s3://bucket/model", "hf://", "hf://a/b/c", "hf://org/../x", "file://relative", "pvc:///abs", "")) {
            SourceException e = assertThrows(SourceException.class, () -> resolver().resolveModel(model(uri)), uri);
            assertEquals(SourceException.PERMANENT, e.exitCode(), uri);
            assertTrue(e.getMessage().startsWith("spec.model.uri"), e.getMessage());
        }
    }
}
