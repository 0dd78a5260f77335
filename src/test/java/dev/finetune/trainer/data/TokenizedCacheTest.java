package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenised-data cache: hits without the tokenizer, misses on any change of what it was made from, rebuilds when damaged. */
class TokenizedCacheTest {
    @TempDir
    Path dir;
    Path data;
    Path model;
    Path cacheRoot;
    final AtomicInteger tokenizerLoads = new AtomicInteger();

    @BeforeEach
    void copyTheQuickstart() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        Files.copy(QuickstartAssetsTest.QUICKSTART.resolve("data/train.jsonl"), data.resolve("train.jsonl"));
        Files.copy(QuickstartAssetsTest.QUICKSTART.resolve("data/validation.jsonl"), data.resolve("validation.jsonl"));
        model = Files.createDirectories(dir.resolve("model"));
        try (Stream<Path> files = Files.list(QuickstartAssetsTest.MODEL)) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        cacheRoot = dir.resolve("output/.cache/tokenized");
    }

    TrainingData load(TaskSpec task) throws IOException {
        TokenizedCache cache = new TokenizedCache(cacheRoot, (m, maxLength) -> {
            tokenizerLoads.incrementAndGet();
            return PairTokenizer.fromModelDir(m, maxLength);
        });
        return TrainingData.load(data, TrainingDataTest.source(), task, model, cache);
    }

    List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(cacheRoot)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertSameRows(List<EncodedExample> expected, List<EncodedExample> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).inputIds(), actual.get(i).inputIds(), "row " + i);
            assertArrayEquals(expected.get(i).tokenTypeIds(), actual.get(i).tokenTypeIds(), "row " + i);
            assertEquals(expected.get(i).label(), actual.get(i).label(), "row " + i);
            assertArrayEquals(expected.get(i).targets(), actual.get(i).targets(), "targets of row " + i);
        }
    }

    /**
     * Pre-tokenised splits are cached as they are, with no tokenizer ever loaded: ids, token types, the rows' own
     * attention masks, and the model's pad id; the key covers the model's limits (config.json) and maxLength.
     */
    @Test
    void preTokenisedRowsAreCachedAsGivenWithoutATokenizer() throws Exception {
        Files.write(data.resolve("train.jsonl"), List.of(
                "{\"input_ids\": [2, 70, 3, 80, 3], \"token_type_ids\": [0, 0, 0, 1, 1], \"label\": 1}",
                "{\"input_ids\": [2, 100, 3, 1, 1], \"attention_mask\": [1, 1, 1, 0, 0], \"label\": 0}",
                "{\"input_ids\": [2, 65600, 3], \"label\": 1}"));
        Files.write(data.resolve("validation.jsonl"), List.of("{\"input_ids\": [2, 7, 3], \"label\": 0}"));
        ModelInputs inputs = new ModelInputs(70000, 2, 1, 64, model.resolve("config.json"));
        TaskSpec task = QuickstartAssetsTest.task();
        TokenizedCache cache = new TokenizedCache(cacheRoot, (m, maxLength) -> {
            throw new AssertionError("no tokenizer for pre-tokenised rows");
        });

        TrainingData first = TrainingData.load(data, TrainingDataTest.source(), task, model, inputs, cache);
        assertTrue(first.train() instanceof TokenizedRows);
        assertEquals(1, first.padTokenId(), "batches padded with the model's pad_token_id");
        assertArrayEquals(new int[] {2, 70, 3, 80, 3}, first.train().get(0).inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, first.train().get(0).tokenTypeIds());
        assertEquals(null, first.train().get(0).attentionMask(), "no mask given: every token attended to");
        assertArrayEquals(new int[] {1, 1, 1, 0, 0}, first.train().get(1).attentionMask());
        assertArrayEquals(new int[] {2, 65600, 3}, first.train().get(2).inputIds(), "a vocabulary past 16 bits: int32 ids");
        assertEquals(List.of(1, 0, 1), first.train().stream().map(EncodedExample::label).toList());
        assertEquals(1, first.eval().size());
        List<String> written = entries();

        TrainingData again = TrainingData.load(data, TrainingDataTest.source(), task, model, inputs, cache);
        assertEquals(written, entries(), "mapped from the cache");
        assertSameRows(first.train(), again.train());

        task.maxLength = 32; // the limit the rows were checked against
        TrainingData.load(data, TrainingDataTest.source(), task, model, inputs, cache);
        assertNotEquals(written, entries());
        List<String> shorter = entries();
        TrainingData.load(data, TrainingDataTest.source(), task, model, new ModelInputs(70000, 2, 0, 64, model.resolve("config.json")), cache);
        assertNotEquals(shorter, entries(), "another pad id is another key");
    }

    /** Multi-label and regression rows keep their float targets through the cache (targets.bin), pre-tokenised too. */
    @Test
    void multiLabelAndRegressionTargetsAreCachedAndTheProblemTypeIsPartOfTheKey() throws Exception {
        Files.write(data.resolve("train.jsonl"), List.of(
                "{\"sentence1\": \"a cat\", \"sentence2\": \"a dog\", \"label\": [0, 2]}",
                "{\"sentence1\": \"the sun\", \"sentence2\": \"the moon\", \"label\": []}",
                "{\"sentence1\": \"a car\", \"sentence2\": \"a bike\", \"label\": [1]}"));
        Files.write(data.resolve("validation.jsonl"), List.of("{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": [2]}"));
        TaskSpec multiLabel = threeTargets("multi_label_classification");
        TrainingData first = load(multiLabel);
        assertTrue(first.train() instanceof TokenizedRows);
        assertArrayEquals(new float[] {1, 0, 1}, first.train().get(0).targets());
        assertArrayEquals(new float[] {0, 0, 0}, first.train().get(1).targets(), "an empty label set");
        assertArrayEquals(new float[] {0, 1, 0}, first.train().get(2).targets());
        TrainingData hit = load(multiLabel);
        assertEquals(1, tokenizerLoads.get(), "a hit");
        assertSameRows(first.train(), hit.train());
        assertSameRows(first.eval(), hit.eval());

        // The same cells as three regression scores ([] and [1] are refused, so other rows).
        Files.write(data.resolve("train.jsonl"), List.of(
                "{\"sentence1\": \"a cat\", \"sentence2\": \"a dog\", \"label\": [0, 2, 1.5]}",
                "{\"sentence1\": \"the sun\", \"sentence2\": \"the moon\", \"label\": [1, 1, 1]}"));
        Files.write(data.resolve("validation.jsonl"), List.of("{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": [2, 0, -0.25]}"));
        TaskSpec regression = threeTargets("regression");
        TrainingData scores = load(regression);
        assertArrayEquals(new float[] {0, 2, 1.5f}, scores.train().get(0).targets());
        assertArrayEquals(new float[] {2, 0, -0.25f}, scores.eval().get(0).targets());
        assertSameRows(scores.train(), load(regression).train());

        // Pre-tokenised rows: the label cells [0, 1] are a label set or two scores, by problem type alone.
        Files.write(data.resolve("train.jsonl"), List.of("{\"input_ids\": [2, 70, 3], \"label\": [0, 1]}"));
        Files.write(data.resolve("validation.jsonl"), List.of("{\"input_ids\": [2, 71, 3], \"label\": [1, 1]}"));
        ModelInputs inputs = new ModelInputs(4096, 2, 0, 64, model.resolve("config.json"));
        TaskSpec pretokenized = QuickstartAssetsTest.task();
        pretokenized.problemType = "multi_label_classification";
        pretokenized.labelNames = null;
        TokenizedCache cache = new TokenizedCache(cacheRoot, (m, maxLength) -> {
            throw new AssertionError("no tokenizer for pre-tokenised rows");
        });
        assertArrayEquals(new float[] {1, 1}, TrainingData.load(data, TrainingDataTest.source(), pretokenized, model, inputs, cache)
                .train().get(0).targets());
        List<String> multiHot = entries();
        pretokenized.problemType = "regression";
        assertArrayEquals(new float[] {0, 1}, TrainingData.load(data, TrainingDataTest.source(), pretokenized, model, inputs, cache)
                .train().get(0).targets());
        assertNotEquals(multiHot, entries(), "another problem type is another key");
    }

    @Test
    void aSecondStartMapsTheCacheWithoutLoadingTheTokenizer() throws Exception {
        TrainingData inHeap = TrainingData.load(data, TrainingDataTest.source(), QuickstartAssetsTest.task(), model);
        TrainingData first = load(QuickstartAssetsTest.task());
        assertEquals(1, tokenizerLoads.get());
        assertTrue(first.train() instanceof TokenizedRows, "mapped, not copied into the heap");
        assertSameRows(inHeap.train(), first.train());
        assertSameRows(inHeap.eval(), first.eval());
        assertEquals(inHeap.padTokenId(), first.padTokenId());
        assertEquals(2, entries().size(), "one folder per split, no temporary folder left: " + entries());

        TrainingData second = load(QuickstartAssetsTest.task());
        assertEquals(1, tokenizerLoads.get(), "a hit loads no tokenizer");
        assertSameRows(inHeap.train(), second.train());
        assertSameRows(inHeap.eval(), second.eval());
        assertEquals(inHeap.padTokenId(), second.padTokenId());
        assertEquals(2, TokenizedCache.idBytes(model.resolve("tokenizer.json")), "a 4096-word vocabulary fits in uint16");
    }

    @Test
    void eachPartOfTheKeyTokenisesAgain() throws Exception {
        load(QuickstartAssetsTest.task());
        List<Consumer<TaskSpec>> taskChanges = List.of(
                t -> t.maxLength = 32,
                t -> t.textFields = new ArrayList<>(List.of("sentence2", "sentence1")),
                t -> t.textFields = new ArrayList<>(List.of("sentence1")),
                t -> t.labelNames = List.of("no", "yes"),
                t -> t.problemType = "multi_label_classification",
                t -> t.labelField = "label_copy");
        addLabelCopyColumn(); // changes the data too: tokenises once more before the task changes
        checkMiss(QuickstartAssetsTest.task(), "data content");
        for (Consumer<TaskSpec> change : taskChanges) {
            TaskSpec task = QuickstartAssetsTest.task();
            change.accept(task);
            checkMiss(task, "task change");
        }
        ObjectMapper json = new ObjectMapper();
        Files.writeString(model.resolve("tokenizer.json"), json.writerWithDefaultPrettyPrinter()
                .writeValueAsString(json.readTree(model.resolve("tokenizer.json").toFile())));
        checkMiss(QuickstartAssetsTest.task(), "tokenizer.json");
        Files.writeString(model.resolve("tokenizer_config.json"), Files.readString(model.resolve("tokenizer_config.json")) + "\n");
        checkMiss(QuickstartAssetsTest.task(), "tokenizer_config.json");
        Files.writeString(data.resolve("train.csv"), "sentence1,sentence2,label\na,b,1\n");
        Files.delete(data.resolve("train.jsonl"));
        checkMiss(QuickstartAssetsTest.task(), "another file and format");
    }

    /** The quickstart task with three targets of {@code problemType} read from the label cells, no label names. */
    private static TaskSpec threeTargets(String problemType) {
        TaskSpec task = QuickstartAssetsTest.task();
        task.problemType = problemType;
        task.numLabels = 3;
        task.labelNames = null;
        return task;
    }

    private void checkMiss(TaskSpec task, String what) throws IOException {
        int before = tokenizerLoads.get();
        List<String> entriesBefore = entries();
        TrainingData changed = load(task);
        assertEquals(before + 1, tokenizerLoads.get(), what + " must tokenise again");
        assertNotEquals(entriesBefore, entries(), what);
        assertEquals(2, entries().size(), "the folders of the old key are removed after " + what);
        load(task);
        assertEquals(before + 1, tokenizerLoads.get(), what + ": and then hit");
        assertFalse(changed.train().isEmpty());
    }

    private void addLabelCopyColumn() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String split : List.of("train.jsonl", "validation.jsonl")) {
            StringBuilder out = new StringBuilder();
            for (String line : Files.readAllLines(data.resolve(split))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = json.readValue(line, Map.class);
                row.put("label_copy", row.get("label"));
                out.append(json.writeValueAsString(row)).append('\n');
            }
            Files.writeString(data.resolve(split), out);
        }
    }

    @Test
    void aDamagedOrIncompleteCacheIsIgnoredAndWrittenAgain() throws Exception {
        // Expected rows from the heap: the damage below alters the very files the first load mapped.
        TrainingData inHeap = TrainingData.load(data, TrainingDataTest.source(), QuickstartAssetsTest.task(), model);
        TrainingData good = load(QuickstartAssetsTest.task());
        Path trainFolder = ((TokenizedRows) good.train()).folder();
        List<Consumer<Path>> damages = List.of(
                folder -> flipAByte(folder.resolve(TokenizedRows.IDS)),
                folder -> truncate(folder.resolve(TokenizedRows.OFFSETS)),
                folder -> write(folder.resolve(TokenizedRows.META), "{\"version\": 1, \"rows\""),
                folder -> delete(folder.resolve(TokenizedRows.META)),
                folder -> delete(folder.resolve(TokenizedRows.LABELS)));
        int loads = tokenizerLoads.get();
        for (Consumer<Path> damage : damages) {
            damage.accept(trainFolder);
            TrainingData rebuilt = load(QuickstartAssetsTest.task());
            assertEquals(++loads, tokenizerLoads.get());
            assertSameRows(inHeap.train(), rebuilt.train());
            assertEquals(trainFolder, ((TokenizedRows) rebuilt.train()).folder());
        }
        Files.createDirectories(cacheRoot.resolve("tmp-" + trainFolder.getFileName() + "-1234")); // a write killed midway
        load(QuickstartAssetsTest.task());
        assertEquals(loads, tokenizerLoads.get());
        assertEquals(2, entries().size(), "the leftover is removed: " + entries());
    }

    @Test
    void aBadEvalRowFailsBeforeAnythingIsTokenised() throws Exception {
        Files.writeString(data.resolve("validation.jsonl"), "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 7}\n");
        DataException e = assertThrows(DataException.class, () -> load(QuickstartAssetsTest.task()));
        assertEquals(data.resolve("validation.jsonl") + ":1: field 'label': 7 is out of range [0, 2)", e.getMessage());
        assertEquals(0, tokenizerLoads.get());
    }

    @Test
    void wideIdsRoundTripInFourBytes() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("wide"));
        try (TokenizedRowsWriter writer = new TokenizedRowsWriter(folder, 4)) {
            writer.append(new EncodedExample(new int[] {101, 70_000, 102}, new int[] {0, 0, 1}, 1));
            writer.append(new EncodedExample(new int[] {101}, new int[] {0}, 0));
            writer.finish(3, Map.of());
        }
        TokenizedRows rows = TokenizedRows.open(folder);
        assertEquals(2, rows.size());
        assertArrayEquals(new int[] {101, 70_000, 102}, rows.get(0).inputIds());
        assertArrayEquals(new int[] {0, 0, 1}, rows.get(0).tokenTypeIds());
        assertEquals(0, rows.get(1).label());
        assertEquals(3, rows.padTokenId());
        Path narrow = Files.createDirectories(dir.resolve("narrow"));
        try (TokenizedRowsWriter writer = new TokenizedRowsWriter(narrow, 2)) {
            assertThrows(IllegalStateException.class,
                    () -> writer.append(new EncodedExample(new int[] {70_000}, new int[] {0}, 0)));
        }
    }

    private static void flipAByte(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            channel.read(b, 10);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            channel.write(b, 10);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void truncate(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 8);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
