package dev.finetune.trainer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.finetune.api.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class HubModelSourceTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String TOKEN = "hf_SecretTokenValue123";
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMillis(800));

    @TempDir
    Path workspace;

    private FakeHub hub;
    private byte[] weights;
    private final List<DownloadProgress> progress = new CopyOnWriteArrayList<>();
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void setUp() throws Exception {
        hub = new FakeHub();
        weights = new byte[3_000_000];
        new Random(7).nextBytes(weights);
        hub.addRepo("models/org/tiny-bert", "main", COMMIT, FakeHub.files(
                "config.json", "{\"model_type\":\"bert\"}",
                "model.safetensors", weights,
                "tokenizer.json", "{\"model\":{}}",
                "vocab.txt", "[PAD]\n[UNK]\n",
                "README.md", "# tiny"), Set.of("model.safetensors"), null);
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger("dev.finetune.trainer.source")).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger("dev.finetune.trainer.source")).detachAppender(logs);
        hub.close();
    }

    private SourceResolver resolver(String token) {
        return new SourceResolver(workspace, workspace.resolve(".cache/hub"), token, workspace, hub.endpoint(),
                progress::add, FAST_RETRY, Duration.ZERO);
    }

    private static ModelSource model(String uri) {
        ModelSource model = new ModelSource();
        model.uri = uri;
        return model;
    }

    @Test
    void downloadsTheModelFilesIntoTheHubCacheLayout() throws Exception {
        Path dir = resolver(null).resolveModel(model("hf://org/tiny-bert"));

        Path repoDir = workspace.resolve(".cache/hub/models--org--tiny-bert");
        assertEquals(repoDir.resolve("snapshots").resolve(COMMIT), dir);
        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertEquals("{\"model_type\":\"bert\"}", Files.readString(dir.resolve("config.json")));
        assertTrue(Files.exists(dir.resolve("tokenizer.json")) && Files.exists(dir.resolve("vocab.txt")));
        assertFalse(Files.exists(dir.resolve("README.md")), "only the files a model needs are fetched");
        // snapshots link into blobs named by the ETag: sha256 for LFS files, the git id otherwise
        assertTrue(Files.isSymbolicLink(dir.resolve("model.safetensors")));
        assertEquals(repoDir.resolve("blobs").resolve(FakeHub.sha256(weights)), dir.resolve("model.safetensors").toRealPath());
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(FakeHub.gitId("{\"model_type\":\"bert\"}".getBytes()))));
        assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")));
        try (var blobs = Files.list(repoDir.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        // the weights came from the CDN after the Hub's redirect, and progress reached the listener
        assertEquals(1, hub.requests("GET", "/cdn/").size());
        DownloadProgress last = progress.stream().filter(p -> p.file().equals("model.safetensors") && p.finished()).findFirst().orElseThrow();
        assertEquals(weights.length, last.bytesDone());
        assertEquals(weights.length, last.bytesTotal());
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().matches("Downloaded model\\.safetensors: 3\\.0/3\\.0 MB \\(.* MB/s\\).*")),
                () -> "log lines: " + logs.list);
    }

    @Test
    void aSecondResolveDownloadsNothing() throws Exception {
        resolver(null).resolveModel(model("hf://org/tiny-bert"));
        hub.requests.clear();

        Path again = resolver(null).resolveModel(model("hf://org/tiny-bert"));

        assertEquals(List.of("GET /api/models/org/tiny-bert/revision/main"), FakeHub.names(hub.requests));
        assertArrayEquals(weights, Files.readAllBytes(again.resolve("model.safetensors")));

        hub.requests.clear();
        ModelSource pinned = model("hf://org/tiny-bert");
        pinned.revision = COMMIT;
        assertEquals(again, resolver(null).resolveModel(pinned));
        assertEquals(List.of(), hub.requests, "a commit that is cached needs no request at all");
    }

    @Test
    void aCutConnectionResumesWithARangeRequest() throws Exception {
        hub.cutsLeft.put(FakeHub.sha256(weights), new AtomicInteger(1));

        Path dir = resolver(null).resolveModel(model("hf://org/tiny-bert"));

        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        List<FakeHub.Request> cdn = hub.requests("GET", "/cdn/");
        assertEquals(2, cdn.size());
        assertNull(cdn.get(0).range());
        // resumed where the kept bytes end: after some of the half that was sent (bytes in flight may be lost)
        String range = cdn.get(1).range();
        assertTrue(range != null && range.matches("bytes=\\d+-"), range);
        long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertTrue(from > 0 && from <= weights.length / 2, range);
    }

    @Test
    void aStalledDownloadIsDroppedAndResumed() throws Exception {
        hub.stallsLeft.put(FakeHub.sha256(weights), new AtomicInteger(1));
        long start = System.nanoTime();

        Path dir = resolver(null).resolveModel(model("hf://org/tiny-bert"));

        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertEquals(2, hub.requests("GET", "/cdn/").size());
        assertTrue(hub.requests("GET", "/cdn/").get(1).range() != null);
        assertTrue(System.nanoTime() - start < 2_900_000_000L, "dropped by the 0.8 s stall timeout, not by the server");
    }

    @Test
    void aKilledDownloadResumesFromItsIncompleteFile() throws Exception {
        Path blobs = workspace.resolve(".cache/hub/models--org--tiny-bert/blobs");
        Files.createDirectories(blobs);
        int kept = 1_234_567;
        Files.write(blobs.resolve(FakeHub.sha256(weights) + ".incomplete"), java.util.Arrays.copyOf(weights, kept));

        Path dir = resolver(null).resolveModel(model("hf://org/tiny-bert"));

        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertEquals(List.of("bytes=" + kept + "-"), hub.requests("GET", "/cdn/").stream().map(FakeHub.Request::range).toList());
    }

    @Test
    void corruptBytesFailTheSha256Check() {
        hub.corrupt.put(FakeHub.sha256(weights), new byte[weights.length]);

        SourceException e = assertThrows(SourceException.class, () -> resolver(null).resolveModel(model("hf://org/tiny-bert")));

        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertEquals(SourceException.TRANSIENT, e.exitCode());
        assertFalse(Files.exists(workspace.resolve(".cache/hub/models--org--tiny-bert/blobs").resolve(FakeHub.sha256(weights))));
    }

    @Test
    void aGatedRepoNeedsTheTokenWhichIsSentToTheHubOnlyAndNeverLogged() throws Exception {
        hub.addRepo("models/org/gated", "main", COMMIT, FakeHub.files("config.json", "{}", "model.safetensors", weights),
                Set.of("model.safetensors"), TOKEN);

        SourceException denied = assertThrows(SourceException.class, () -> resolver(null).resolveModel(model("hf://org/gated")));
        assertEquals(SourceException.PERMANENT, denied.exitCode());
        assertTrue(denied.getMessage().contains("401") && denied.getMessage().contains("token"), denied.getMessage());

        SourceException refused = assertThrows(SourceException.class, () -> resolver("hf_wrong").resolveModel(model("hf://org/gated")));
        assertEquals(SourceException.PERMANENT, refused.exitCode());
        assertTrue(refused.getMessage().contains("token (HF_TOKEN) was refused"), refused.getMessage());
        assertFalse(refused.getMessage().contains("hf_wrong"));

        hub.requests.clear();
        Path dir = resolver(TOKEN).resolveModel(model("hf://org/gated"));
        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        for (FakeHub.Request request : hub.requests) {
            String expected = request.path().startsWith("/cdn/") ? null : "Bearer " + TOKEN;
            assertEquals(expected, request.authorization(), request.path());
        }
        assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains(TOKEN)));
    }

    @Test
    void permanentAndTransientFailuresHaveTheirExitCodes() {
        SourceException missing = assertThrows(SourceException.class, () -> resolver(null).resolveModel(model("hf://org/nope")));
        assertEquals(SourceException.PERMANENT, missing.exitCode());
        assertTrue(missing.getMessage().contains("404") && missing.getMessage().startsWith("spec.model.uri"), missing.getMessage());

        hub.requests.clear();
        hub.unavailableLeft.set(100);
        SourceException down = assertThrows(SourceException.class, () -> resolver(null).resolveModel(model("hf://org/tiny-bert")));
        assertEquals(SourceException.TRANSIENT, down.exitCode());
        assertTrue(down.getMessage().contains("after 3 attempts"), down.getMessage());
        assertEquals(3, hub.requests("GET", "/api/").size());
    }

    @Test
    void anUnreachableHubIsNamedByItsHostAndRetriable() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SourceResolver resolver = new SourceResolver(workspace, workspace.resolve(".cache/hub"), null, workspace,
                java.net.URI.create("http://127.0.0.1:" + closedPort), progress::add, FAST_RETRY, Duration.ZERO);

        SourceException down = assertThrows(SourceException.class, () -> resolver.resolveModel(model("hf://org/tiny-bert")));

        assertEquals(SourceException.TRANSIENT, down.exitCode());
        assertTrue(down.getMessage().startsWith("spec.model.uri"), down.getMessage());
        assertTrue(down.getMessage().contains("after 3 attempts: cannot reach 127.0.0.1: "), down.getMessage());
        assertFalse(down.getMessage().endsWith(": ConnectException"), down.getMessage());
    }

    @Test
    void aBriefOutageIsRiddenOut() throws Exception {
        hub.unavailableLeft.set(2);
        Path dir = resolver(null).resolveModel(model("hf://org/tiny-bert"));
        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
    }

    @Test
    void aCachedModelIsUsedWhenTheHubIsDown() throws Exception {
        Path first = resolver(null).resolveModel(model("hf://org/tiny-bert"));
        hub.unavailableLeft.set(100);
        assertEquals(first, resolver(null).resolveModel(model("hf://org/tiny-bert")));
    }

    @Test
    void aModelWithoutSafetensorsIsAClearError() {
        hub.addRepo("models/org/old", "main", COMMIT, FakeHub.files("config.json", "{}", "pytorch_model.bin", weights),
                Set.of("pytorch_model.bin"), null);

        SourceException e = assertThrows(SourceException.class, () -> resolver(null).resolveModel(model("hf://org/old")));

        assertEquals(SourceException.PERMANENT, e.exitCode());
        assertTrue(e.getMessage().contains("no safetensors weights") && e.getMessage().contains("pytorch_model.bin"), e.getMessage());
        assertEquals(0, hub.requests("HEAD", "/org/old/").size(), "nothing is downloaded for it");
    }

    @Test
    void shardedWeightsAreFetchedFromTheIndex() throws Exception {
        byte[] shard1 = "first shard".getBytes();
        byte[] shard2 = "second shard".getBytes();
        String index = "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}}";
        hub.addRepo("models/org/sharded", "main", COMMIT, FakeHub.files("config.json", "{}",
                "model.safetensors.index.json", index,
                "model-00001-of-00002.safetensors", shard1,
                "model-00002-of-00002.safetensors", shard2), Set.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"), null);

        Path dir = resolver(null).resolveModel(model("hf://org/sharded"));

        assertArrayEquals(shard1, Files.readAllBytes(dir.resolve("model-00001-of-00002.safetensors")));
        assertArrayEquals(shard2, Files.readAllBytes(dir.resolve("model-00002-of-00002.safetensors")));
    }

    @Test
    void concurrentJobsOnOneVolumeDownloadABlobOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> jobs = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                jobs.add(pool.submit(() -> resolver(null).resolveModel(model("hf://org/tiny-bert"))));
            }
            for (Future<Path> job : jobs) {
                assertArrayEquals(weights, Files.readAllBytes(job.get().resolve("model.safetensors")));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, hub.requests("GET", "/cdn/").size());
    }

    @Test
    void aRepoNameWithoutOrganisationWorks() throws Exception {
        hub.addRepo("models/bert-base-uncased", "main", COMMIT, FakeHub.files("config.json", "{}", "model.safetensors", weights),
                Set.of("model.safetensors"), null);
        Path dir = resolver(null).resolveModel(model("hf://bert-base-uncased"));
        assertEquals(workspace.resolve(".cache/hub/models--bert-base-uncased/snapshots/" + COMMIT), dir);
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
    }
}
