package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/** Tests tagged "shared" use the all-MiniLM-L6-v2 tokenizer (the bert-base-uncased vocabulary) and skip without it. */
class PairTokenizerTest {
    static final Path model = Path.of(System.getProperty("finetune.shared", "../shared"), "models", "all-MiniLM-L6-v2");
    static List<String> vocab;

    @TempDir
    Path dir;

    @BeforeEach
    void sharedModel(TestInfo test) throws Exception {
        if (test.getTags().contains("shared")) {
            assumeTrue(Files.isRegularFile(model.resolve("tokenizer.json")), "no shared model at " + model);
            vocab = Files.readAllLines(model.resolve("vocab.txt"));
        }
    }

    @Test
    void theModelFolderNeedsATokenizerJson() {
        DataException e = assertThrows(DataException.class, () -> PairTokenizer.fromModelDir(dir, 128));
        assertEquals(dir.resolve("tokenizer.json") + ": no such file (the model folder needs a Hugging Face tokenizer.json;"
                + " or give pre-tokenised rows, with an input_ids column, which need no tokenizer)", e.getMessage());
    }

    /** DeBERTa-v3 and XLM-R repos may ship only the sentencepiece model: DJL reads tokenizer.json only, so say what to do. */
    @Test
    void aFolderWithOnlyASentencepieceModelIsRefusedNamingTheMissingTokenizerJson() throws Exception {
        for (String spm : PairTokenizer.SENTENCEPIECE_FILES) {
            Path folder = Files.createDirectories(dir.resolve(spm + "-only"));
            Files.write(folder.resolve(spm), new byte[] {10, 5, 10, 3, 60, 112, 62}); // a protobuf's first bytes
            DataException e = assertThrows(DataException.class, () -> PairTokenizer.fromModelDir(folder, 128));
            assertTrue(e.getMessage().startsWith(folder.resolve("tokenizer.json") + ": no such file"), e.getMessage());
            assertTrue(e.getMessage().contains("it has only the sentencepiece model " + spm + ", which the trainer does not read"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("or give pre-tokenised rows, with an input_ids column"), e.getMessage());
        }
    }

    /**
     * A Unigram tokenizer.json (the kind transformers converts DeBERTa-v3's and XLM-R's sentencepiece models to) loads and
     * encodes through DJL: Metaspace pieces chosen by score (Viterbi), unknown characters to unk_id, DeBERTa-v3's
     * {@code [CLS] A [SEP] B [SEP]} template with token types.
     */
    @Test
    void aUnigramTokenizerJsonLoadsAndEncodes() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), UNIGRAM_TOKENIZER);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"[PAD]\"}");
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(dir, 16)) {
            assertEquals(0, tokenizer.padTokenId());
            List<EncodedExample> encoded = tokenizer.encode(List.of(
                    new Example("f", 1, List.of("hello world"), 0),
                    new Example("f", 2, List.of("helloworld"), 0),
                    new Example("f", 3, List.of("hellod"), 0),
                    new Example("f", 4, List.of("hello x"), 0)));
            assertArrayEquals(new int[] {1, 4, 5, 2}, encoded.get(0).inputIds());
            // "▁hello" (-1) beats "▁he" + "llo" (-6); "world" without its word boundary is spelt out
            assertArrayEquals(new int[] {1, 4, 11, 10, 12, 9, 13, 2}, encoded.get(1).inputIds());
            assertArrayEquals(new int[] {1, 4, 13, 2}, encoded.get(2).inputIds());
            assertArrayEquals(new int[] {1, 4, 6, 3, 2}, encoded.get(3).inputIds(), "'x' is not in the vocabulary: [UNK]");
            EncodedExample pair = tokenizer.encode(List.of(new Example("f", 5, List.of("hello world", "world hello"), 1))).get(0);
            assertArrayEquals(new int[] {1, 4, 5, 2, 5, 4, 2}, pair.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1}, pair.tokenTypeIds());
        }
        assertEquals(2, TokenizedCache.idBytes(dir.resolve("tokenizer.json")), "Unigram ids are list positions");
    }

    private static final String UNIGRAM_TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
              {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 1, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 2, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 3, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
             "post_processor": {"type": "TemplateProcessing",
              "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
              "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
              "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                                 "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
             "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
             "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": false, "vocab": [
              ["[PAD]", 0.0], ["[CLS]", 0.0], ["[SEP]", 0.0], ["[UNK]", 0.0], ["\u2581hello", -1.0], ["\u2581world", -1.5],
              ["\u2581", -2.0], ["h", -4.0], ["e", -4.0], ["l", -4.0], ["o", -4.0], ["w", -4.0], ["r", -4.0], ["d", -4.0],
              ["\u2581he", -3.0], ["llo", -3.0]]}}
            """;

    @Test
    void thePadTokenIsReadNotAssumed() throws Exception {
        Files.copy(QuickstartAssetsTest.MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": {\"content\": \"[MASK]\"}}");
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(dir, 16)) {
            assertEquals(4, tokenizer.padTokenId(), "[MASK] is id 4 in the quickstart vocabulary");
        }
        Files.delete(dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("config.json"), "{\"pad_token_id\": 3}");
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(dir, 16)) {
            assertEquals(3, tokenizer.padTokenId(), "from config.json when the tokenizer names no pad token");
        }
        Files.delete(dir.resolve("config.json"));
        DataException e = assertThrows(DataException.class, () -> PairTokenizer.fromModelDir(dir, 16));
        assertTrue(e.getMessage().contains("cannot tell the pad token"), e.getMessage());
    }

    static Example pair(String a, String b) {
        return new Example("test", 1, List.of(a, b), 1);
    }

    int id(String token) {
        int id = vocab.indexOf(token);
        assertTrue(id >= 0, token);
        return id;
    }

    @Test
    @Tag("shared")
    void aPairGivesTheIdsTransformersGives() throws Exception {
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(model, 128)) {
            EncodedExample row = tokenizer.encode(List.of(pair("Hello world", "good  MORNING"))).get(0);
            // bert-base-uncased: [CLS]=101 hello=7592 world=2088 [SEP]=102 good=2204 morning=2851; no padding
            // although this tokenizer.json pads to 128.
            assertArrayEquals(new int[] {101, 7592, 2088, 102, 2204, 2851, 102}, row.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1}, row.tokenTypeIds());
            assertEquals(1, row.label());
            assertEquals(0, tokenizer.padTokenId());
        }
    }

    @Test
    @Tag("shared")
    void wordPiecesAndSingleTexts() throws Exception {
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(model, 128)) {
            Example single = new Example("test", 1, List.of("Tokenization"), Example.NO_LABEL);
            EncodedExample row = tokenizer.encode(List.of(single)).get(0);
            assertArrayEquals(new int[] {101, id("token"), id("##ization"), 102}, row.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0}, row.tokenTypeIds());
            assertEquals(Example.NO_LABEL, row.label());
        }
    }

    @Test
    @Tag("shared")
    void longestFirstCutsTheLongerSideFirst() throws Exception {
        List<String> letters = IntStream.range(0, 10).mapToObj(i -> String.valueOf((char) ('a' + i))).toList();
        String ten = String.join(" ", letters); // ten one-token words
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(model, 11)) { // 8 tokens of text
            EncodedExample longFirst = tokenizer.encode(List.of(pair(ten, "one two three"))).get(0);
            List<Integer> expected = new ArrayList<>(List.of(101));
            letters.subList(0, 5).forEach(l -> expected.add(id(l)));
            expected.addAll(List.of(102, id("one"), id("two"), id("three"), 102));
            assertEquals(expected, ints(longFirst.inputIds()), "the short second text is kept whole");

            EncodedExample longSecond = tokenizer.encode(List.of(pair("one two three", ten))).get(0);
            assertEquals(11, longSecond.length());
            assertEquals(List.of(101, id("one"), id("two"), id("three"), 102), ints(longSecond.inputIds()).subList(0, 5));

            EncodedExample bothLong = tokenizer.encode(List.of(pair(ten, "k l m n o p"))).get(0);
            assertEquals(List.of(101, id("a"), id("b"), id("c"), id("d"), 102, id("k"), id("l"), id("m"), id("n"), 102),
                    ints(bothLong.inputIds()), "both cut to half once they are equally long");
        }
    }

    @Test
    @Tag("shared")
    void batchEncodingMatchesOneByOneOnRealPairs() throws Exception {
        Path train = model.getParent().getParent().resolve("data/glue-mrpc/train.jsonl");
        assumeTrue(Files.isRegularFile(train), "no shared MRPC data");
        List<Example> examples = DatasetReader.read(train, "auto", new dev.finetune.api.TaskSpec()).subList(0, 1500);
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(model, 32)) {
            List<EncodedExample> all = tokenizer.encode(examples); // crosses the 1024-row chunk boundary
            assertEquals(1500, all.size());
            for (int i : new int[] {0, 1023, 1024, 1499}) {
                EncodedExample alone = tokenizer.encode(List.of(examples.get(i))).get(0);
                assertArrayEquals(alone.inputIds(), all.get(i).inputIds(), "row " + i);
                assertEquals(examples.get(i).label(), all.get(i).label());
            }
            assertTrue(all.stream().allMatch(r -> r.length() <= 32));
            assertTrue(all.stream().anyMatch(r -> r.length() == 32), "long pairs are truncated to maxLength");
        }
    }

    static List<Integer> ints(int[] values) {
        return IntStream.of(values).boxed().toList();
    }
}
