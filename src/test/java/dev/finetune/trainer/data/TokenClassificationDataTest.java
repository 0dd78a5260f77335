package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.finetune.api.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TokenClassification rows as run_ner.py prepares them: words tokenised as is_split_into_words=True, the tag on each
 * word's first sub-token and -100 on the rest and on specials (label_all_tokens=False), truncation at maxLength;
 * bad rows refused naming file, line and column.
 */
class TokenClassificationDataTest {
    private static final Path QUICKSTART_MODEL = Path.of("examples/quickstart/model");
    private static final List<String> TAGS = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");

    @TempDir
    Path tmp;

    static TaskSpec task() {
        TaskSpec task = new TaskSpec();
        task.type = "TokenClassification";
        task.labelNames = TAGS;
        task.numLabels = TAGS.size();
        task.maxLength = 64;
        return task;
    }

    @Test
    void wordPieceLabelsTheFirstSubTokenOfEachWord() throws Exception {
        List<String> words = List.of("Kowalski", "visited", "Zyzzyva", "today");
        int[] tags = {1, 0, 3, 0};
        EncodedExample row;
        try (PairTokenizer tokenizer = PairTokenizer.forWords(QUICKSTART_MODEL, 64)) {
            row = tokenizer.encode(List.of(Example.taggedWords("f", 1, words, tags))).get(0);
        }
        List<List<Integer>> expected = expected(words, tags, 64);
        List<Integer> ids = expected.get(0);
        List<Integer> labels = expected.get(1);
        assertTrue(ids.size() > words.size() + 3, "some word splits into several pieces: " + ids);
        assertEquals(ids, list(row.inputIds()));
        assertEquals(labels, list(row.tokenLabels()));
    }

    @Test
    void byteLevelBpeEncodesEachWordWithAPrefixSpace() throws Exception {
        TinyRobertaTokenizer.write(tmp);
        Map<String, Integer> vocab = TinyRobertaTokenizer.vocab();
        try (PairTokenizer tokenizer = PairTokenizer.forWords(tmp, 64)) {
            EncodedExample row = tokenizer.encode(List.of(Example.taggedWords("f", 1, List.of("the", "cat"), new int[] {0, 3}))).get(0);
            // add_prefix_space=True: "Ġthe" "Ġcat" (as in running text), not "t" "he" as at the start of a text.
            assertEquals(List.of(TinyRobertaTokenizer.BOS, vocab.get("Ġthe"), vocab.get("Ġcat"), TinyRobertaTokenizer.EOS),
                    list(row.inputIds()));
            assertEquals(List.of(-100, 0, 3, -100), list(row.tokenLabels()));
        }
        // The text tokenizer of the same folder is left as it is.
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(tmp, 64)) {
            EncodedExample row = tokenizer.encode(List.of(new Example("f", 1, List.of("the cat"), 0))).get(0);
            assertEquals(List.of(TinyRobertaTokenizer.BOS, vocab.get("t"), vocab.get("he"), vocab.get("Ġcat"), TinyRobertaTokenizer.EOS),
                    list(row.inputIds()));
        }
    }

    @Test
    void truncationAtMaxLengthDropsTheLabelsOfWordsCutOff() throws Exception {
        List<String> words = List.of("the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ran");
        int[] tags = {0, 1, 0, 0, 0, 3, 0, 0, 1, 0};
        try (PairTokenizer tokenizer = PairTokenizer.forWords(QUICKSTART_MODEL, 8)) {
            EncodedExample row = tokenizer.encode(List.of(Example.taggedWords("f", 1, words, tags))).get(0);
            assertEquals(8, row.length());
            List<List<Integer>> expected = expected(words, tags, 8);
            assertEquals(expected.get(0), list(row.inputIds()));
            assertEquals(expected.get(1), list(row.tokenLabels()));
            assertTrue(Arrays.stream(row.tokenLabels()).filter(l -> l >= 0).count() < words.size(), "some words are cut off");
        }
    }

    /**
     * The ids and labels run_ner.py would make, from each word tokenised on its own: [CLS] pieces... [SEP], the tag on
     * a word's first piece, -100 elsewhere; pieces past maxLength - 2 cut off.
     */
    private static List<List<Integer>> expected(List<String> words, int[] tags, int maxLength) throws Exception {
        List<Integer> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (HuggingFaceTokenizer plain = HuggingFaceTokenizer.newInstance(QUICKSTART_MODEL.resolve("tokenizer.json"))) {
            long[] withSpecials = plain.encode(words.get(0), true, false).getIds();
            for (int w = 0; w < words.size(); w++) {
                long[] pieces = plain.encode(words.get(w), false, false).getIds();
                for (int p = 0; p < pieces.length; p++) {
                    ids.add((int) pieces[p]);
                    labels.add(p == 0 ? tags[w] : -100);
                }
            }
            int keep = Math.min(ids.size(), maxLength - 2);
            ids = new ArrayList<>(ids.subList(0, keep));
            labels = new ArrayList<>(labels.subList(0, keep));
            ids.add(0, (int) withSpecials[0]);
            ids.add((int) withSpecials[withSpecials.length - 1]);
            labels.add(0, -100);
            labels.add(-100);
        }
        return List.of(ids, labels);
    }

    @Test
    void tagsAreNamesOrIdsAndUntaggedRowsPredict() throws Exception {
        Path file = tmp.resolve("train.jsonl");
        Files.writeString(file, """
                {"tokens": ["Anna", "in", "Paris"], "ner_tags": ["B-PER", "O", "B-LOC"]}
                {"tokens": ["Anna", "in", "Paris"], "ner_tags": [1, 0, 3]}
                """);
        List<Example> rows = DatasetReader.read(file, "jsonl", task());
        assertArrayEquals(new int[] {1, 0, 3}, rows.get(0).wordTags());
        assertArrayEquals(new int[] {1, 0, 3}, rows.get(1).wordTags());
        assertEquals(List.of("Anna", "in", "Paris"), rows.get(0).texts());

        Path untagged = tmp.resolve("predict.jsonl");
        Files.writeString(untagged, "{\"tokens\": [\"Anna\", \"in\", \"Paris\"]}\n");
        Example row = DatasetReader.readForPrediction(untagged, "jsonl", task()).get(0);
        assertNull(row.wordTags());
        try (PairTokenizer tokenizer = PairTokenizer.forWords(QUICKSTART_MODEL, 64)) {
            int[] labels = tokenizer.encode(List.of(row)).get(0).tokenLabels();
            assertEquals(3, Arrays.stream(labels).filter(l -> l == Example.NO_LABEL).count(), "each word's first piece is marked");
        }
    }

    @Test
    void csvCellsHoldTheListsAsJson() throws Exception {
        Path file = tmp.resolve("train.csv");
        Files.writeString(file, "tokens,ner_tags\n\"[\"\"Anna\"\", \"\"ran\"\"]\",\"[\"\"B-PER\"\", \"\"O\"\"]\"\n");
        assertArrayEquals(new int[] {1, 0}, DatasetReader.read(file, "csv", task()).get(0).wordTags());
    }

    @Test
    void parquetListColumnsReadAsTheirJsonLines() throws Exception {
        Path jsonl = Path.of("examples/ner/data/validation.jsonl");
        Path parquet = tmp.resolve("validation.parquet");
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute("SET autoinstall_known_extensions = false");
            statement.execute("COPY (SELECT * FROM read_json('" + jsonl.toAbsolutePath() + "', format = 'newline_delimited')) TO '"
                    + parquet + "' (FORMAT PARQUET)");
        }
        Path converted = tmp.resolve("converted.jsonl");
        dev.finetune.trainer.source.ParquetConverter.toJsonl(List.of(parquet), converted, "test");
        List<Example> expected = DatasetReader.read(jsonl, "jsonl", ner());
        List<Example> actual = DatasetReader.read(converted, "jsonl", ner());
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).texts(), actual.get(i).texts());
            assertArrayEquals(expected.get(i).wordTags(), actual.get(i).wordTags());
        }
    }

    /** The NER example's tag set. */
    private static TaskSpec ner() {
        TaskSpec task = task();
        task.labelNames = List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");
        task.numLabels = task.labelNames.size();
        return task;
    }

    @Test
    void badRowsNameTheFileLineAndColumn() throws Exception {
        assertBad("{\"tokens\": [\"a\", \"b\"], \"ner_tags\": [\"O\"]}", "field 'ner_tags': 1 tags for 2 words");
        assertBad("{\"tokens\": [\"a\"], \"ner_tags\": [\"B-ORG\"]}", "field 'ner_tags': tag 0: 'B-ORG' is not in spec.task.labelNames");
        assertBad("{\"tokens\": [\"a\"], \"ner_tags\": [7]}", "field 'ner_tags': tag 0: 7 is out of range [0, 5)");
        assertBad("{\"tokens\": [], \"ner_tags\": []}", "field 'tokens': empty list of words");
        assertBad("{\"tokens\": \"Anna ran\", \"ner_tags\": [\"B-PER\", \"O\"]}", "field 'tokens': expected a list of words");
        assertBad("{\"tokens\": [\"a\"], \"ner_tags\": \"O\"}", "field 'ner_tags': expected a list of tags");
        assertBad("{\"tokens\": [\"a\", \" \"], \"ner_tags\": [\"O\", \"O\"]}", "field 'tokens': word 1 is empty");
        assertBad("{\"tokens\": [\"a\", [\"b\"]], \"ner_tags\": [\"O\", \"O\"]}", "field 'tokens': word 1 is not a string");
        assertBad("{\"tokens\": [\"a\"]}", "field 'ner_tags': missing from this row");
    }

    @Test
    void preTokenisedRowsCarryOneLabelPerToken() throws Exception {
        ModelInputs model = new ModelInputs(4096, 2, 0, 64, tmp.resolve("config.json"));
        TaskSpec task = task();
        task.tagsField = "labels";
        Path file = tmp.resolve("pretokenized.jsonl");
        Files.writeString(file, "{\"input_ids\": [2, 40, 41, 3], \"labels\": [-100, \"B-PER\", -100, -100]}\n");
        List<EncodedExample> rows = new ArrayList<>();
        DatasetReader.forEachPretokenized(file, "jsonl", task, model, rows::add);
        assertArrayEquals(new int[] {-100, 1, -100, -100}, rows.get(0).tokenLabels());

        for (String[] bad : new String[][] {
                {"[-100, 1, 0]", "field 'labels': 3 labels where input_ids has 4 tokens"},
                {"[-100, -100, -100, -100]", "field 'labels': every label is -100"},
                {"[-100, 9, 0, -100]", "field 'labels': tag 1: 9 is out of range [0, 5)"}}) {
            Files.writeString(file, "{\"input_ids\": [2, 40, 41, 3], \"labels\": " + bad[0] + "}\n");
            DataException e = assertThrows(DataException.class,
                    () -> DatasetReader.forEachPretokenized(file, "jsonl", task, model, row -> {}));
            assertTrue(e.getMessage().startsWith(file + ":1: " + bad[1]), e.getMessage());
        }
    }

    private void assertBad(String secondRow, String problem) throws Exception {
        Path file = tmp.resolve("bad.jsonl");
        Files.writeString(file, "{\"tokens\": [\"ok\"], \"ner_tags\": [\"O\"]}\n" + secondRow + "\n");
        DataException e = assertThrows(DataException.class, () -> DatasetReader.read(file, "jsonl", task()));
        assertTrue(e.getMessage().startsWith(file + ":2: " + problem), e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void theCacheKeepsTheTokenLabels() throws Exception {
        Path file = tmp.resolve("data/train.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"tokens": ["Kowalski", "visited", "Paris"], "ner_tags": ["B-PER", "O", "B-LOC"]}
                {"tokens": ["Zyzzyva"], "ner_tags": ["B-LOC"]}
                """);
        List<EncodedExample> direct;
        try (PairTokenizer tokenizer = PairTokenizer.forWords(QUICKSTART_MODEL, 64)) {
            direct = tokenizer.encode(DatasetReader.read(file, "jsonl", task()));
        }
        TokenizedCache cache = new TokenizedCache(tmp.resolve("cache"));
        for (int pass = 0; pass < 2; pass++) { // written, then mapped from the cache
            TokenizedRows rows = cache.load(List.of(file), "jsonl", task(), QUICKSTART_MODEL).get(0);
            assertEquals(direct.size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                assertArrayEquals(direct.get(i).inputIds(), rows.get(i).inputIds());
                assertArrayEquals(direct.get(i).tokenLabels(), rows.get(i).tokenLabels());
            }
        }
        // Sequence-classification rows of another task do not share the folder: another key.
        assertEquals(1, Files.list(tmp.resolve("cache")).count());
    }

    private static List<Integer> list(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
