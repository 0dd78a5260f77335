package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tokenises N synthetic sentence pairs (default 1,000,000) with the quickstart tokenizer into the tokenised-data
 * cache, then loads them again from the cache, reads every row once, and prints time, rows/s, peak RSS (VmHWM)
 * and the heap. Usage: {@code bench/tokenize.sh [ROWS] [FOLDER]}.
 */
public final class TokenizeBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        Path root = Files.createTempDirectory(Path.of(args.length > 1 ? args[1] : "/tmp"), "tokenize-bench-");
        Path model = Path.of("examples/quickstart/model");
        Path data = Files.createDirectories(root.resolve("data"));
        long t0 = System.nanoTime();
        long bytes = writePairs(data.resolve("train.jsonl"), rows, words(Path.of("examples/quickstart/data/train.jsonl")));
        System.out.printf("generated %,d pairs (%.1f MB of JSONL) in %.1f s; heap max %d MB, %d CPUs%n", rows, bytes / 1e6,
                seconds(t0), Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        System.out.printf("after generating: VmHWM %s, VmRSS %s%n", status("VmHWM"), status("VmRSS"));

        TaskSpec task = new TaskSpec(); // sentence1, sentence2, label; maxLength 128
        DatasetSource source = new DatasetSource();
        Path output = root.resolve("runs/bench");
        long tr = System.nanoTime();
        long read = DatasetReader.forEach(data.resolve("train.jsonl"), null, task, example -> {});
        System.out.printf("read and checked %,d rows (no tokenising; the cache does this pass too) in %.1f s%n", read, seconds(tr));
        long t1 = System.nanoTime();
        TrainingData first = TrainingData.load(data, source, task, model, TokenizedCache.forJob(output));
        double tokenise = seconds(t1);
        TokenizedRows mapped = (TokenizedRows) first.train();
        System.out.printf("tokenised %,d rows (%,d tokens, %.1f MB on disk) in %.1f s: %,.0f rows/s%n", mapped.size(),
                mapped.tokenCount(), folderBytes(mapped.folder()) / 1e6, tokenise, mapped.size() / tokenise);
        System.out.printf("after tokenising: VmHWM %s, VmRSS %s, heap used after GC %d MB%n", status("VmHWM"),
                status("VmRSS"), heapAfterGc() >> 20);

        long t2 = System.nanoTime();
        TrainingData again = TrainingData.load(data, source, task, model, TokenizedCache.forJob(output));
        double reload = seconds(t2);
        System.out.printf("reloaded from the cache (checksums checked, no tokenizer) in %.2f s%n", reload);

        long t3 = System.nanoTime();
        long tokens = 0;
        for (EncodedExample row : again.train()) {
            tokens += row.length();
        }
        System.out.printf("read all %,d rows (%,d tokens) from the mapping in %.2f s%n", again.train().size(), tokens, seconds(t3));
        System.out.printf("end: VmHWM %s, VmRSS %s, heap used after GC %d MB%n", status("VmHWM"), status("VmRSS"),
                heapAfterGc() >> 20);
        deleteTree(root);
    }

    private static List<String> words(Path mrpc) throws IOException {
        List<String> words = new ArrayList<>();
        for (String line : Files.readAllLines(mrpc)) {
            for (String w : JSON.readTree(line).get("sentence1").asText().split(" ")) {
                words.add(w);
            }
        }
        return words;
    }

    /** Pairs of 8 to 30 words drawn from MRPC's sentences (seeded), labels 0/1: MRPC-like lengths, any count. */
    private static long writePairs(Path file, int rows, List<String> words) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < rows; i++) {
                row.put("sentence1", sentence(random, words));
                row.put("sentence2", sentence(random, words));
                row.put("label", random.nextInt(2));
                out.write(JSON.writeValueAsString(row));
                out.write('\n');
            }
        }
        return Files.size(file);
    }

    private static String sentence(SplittableRandom random, List<String> words) {
        int n = 8 + random.nextInt(23);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(words.get(random.nextInt(words.size())));
        }
        return s.toString();
    }

    private static String status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "n/a";
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long folderBytes(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        dev.finetune.trainer.checkpoint.AtomicFolder.deleteTree(root);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
