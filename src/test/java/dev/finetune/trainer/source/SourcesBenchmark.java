package dev.finetune.trainer.source;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import java.util.Set;

/**
 * Speed of the sources on this machine (run by bench/sources.sh, not by the tests): a bert-base-sized
 * model.safetensors through the fake Hub on loopback (download, sha256 check, link), and the Parquet to JSONL
 * conversion of GLUE MRPC train (from ../shared, skipped where absent).
 */
public final class SourcesBenchmark {
    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 440;
        Path workspace = Files.createTempDirectory("sources-bench");
        byte[] weights = new byte[megabytes * 1_000_000];
        new Random(1).nextBytes(weights);
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("models/org/big", "main", "0123456789abcdef0123456789abcdef01234567",
                    FakeHub.files("config.json", "{}", "model.safetensors", weights), Set.of("model.safetensors"), null);
            SourceResolver resolver = new SourceResolver(workspace, workspace.resolve("cache"), null, workspace, hub.endpoint(),
                    DownloadListener.NONE, RetryPolicy.defaults(), Duration.ofSeconds(2));
            ModelSource model = new ModelSource();
            model.uri = "hf://org/big";
            long start = System.nanoTime();
            resolver.resolveModel(model);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("model download (loopback) + sha256 + link: %d MB in %.2f s = %.0f MB/s%n", megabytes, seconds, megabytes / seconds);
            start = System.nanoTime();
            resolver.resolveModel(model);
            System.out.printf("second resolve (cached): %.1f ms%n", (System.nanoTime() - start) / 1e6);
        }

        Path mrpc = Path.of(System.getProperty("finetune.shared", "../shared"), "data/glue-mrpc/train.jsonl");
        if (Files.isRegularFile(mrpc)) {
            Path parquet = workspace.resolve("mrpc/train.parquet");
            Files.createDirectories(parquet.getParent());
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
                s.execute("COPY (SELECT * FROM read_json('" + mrpc.toAbsolutePath() + "')) TO '" + parquet + "' (FORMAT PARQUET)");
            }
            SourceResolver resolver = new SourceResolver(workspace, workspace.resolve("cache"), null, workspace,
                    SourceResolver.DEFAULT_ENDPOINT, DownloadListener.NONE);
            DatasetSource dataset = new DatasetSource();
            dataset.uri = "file://" + parquet;
            long start = System.nanoTime();
            Path jsonl = resolver.resolveDataset(dataset).file("train");
            System.out.printf("parquet -> jsonl, MRPC train (%d rows, %d KB parquet): %.0f ms (first use of DuckDB included)%n",
                    Files.readAllLines(jsonl).size(), Files.size(parquet) / 1000, (System.nanoTime() - start) / 1e6);
        } else {
            System.out.println("MRPC not found at " + mrpc + ": conversion not measured");
        }
    }
}
