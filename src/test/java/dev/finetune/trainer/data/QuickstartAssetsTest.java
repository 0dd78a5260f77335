package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed quickstart assets: DJL loads the tokenizer, and they are what the generator makes. */
class QuickstartAssetsTest {
    static final Path QUICKSTART = Path.of("examples/quickstart"); // tests run in the project root
    static final Path MODEL = QUICKSTART.resolve("model");

    static TaskSpec task() {
        TaskSpec task = new TaskSpec();
        task.labelNames = QuickstartAssets.LABELS;
        return task;
    }

    @Test
    void djlLoadsTheTokenizerAndItSplitsAsBertDoes() throws Exception {
        List<String> vocab = Files.readAllLines(MODEL.resolve("vocab.txt"));
        JsonNode config = new ObjectMapper().readTree(MODEL.resolve("config.json").toFile());
        assertEquals(vocab.size(), config.get("vocab_size").asInt());
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(MODEL, 128)) {
            assertEquals(0, tokenizer.padTokenId());
            Example pair = new Example("test", 1, List.of("The Company's SHARES", "rose 5%"), 1);
            EncodedExample row = tokenizer.encode(List.of(pair)).get(0);
            int[] expected = {2, vocab.indexOf("the"), vocab.indexOf("company"), vocab.indexOf("'"),
                    vocab.indexOf("s"), vocab.indexOf("shares"), 3, vocab.indexOf("rose"), vocab.indexOf("5"),
                    vocab.indexOf("%"), 3};
            assertTrue(Arrays.stream(expected).allMatch(id -> id >= 0), "in the vocabulary: " + Arrays.toString(expected));
            assertArrayEquals(expected, row.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, row.tokenTypeIds());

            // A word outside the vocabulary falls back to word pieces, never to [UNK] for known characters.
            EncodedExample rare = tokenizer.encode(List.of(new Example("t", 1, List.of("zyzzyva"), 0))).get(0);
            assertTrue(rare.length() > 3);
            assertTrue(Arrays.stream(rare.inputIds()).noneMatch(id -> id == 1), "no [UNK]");

            // Every vocabulary word is one token: the generator splits words the way the tokenizer does.
            for (String word : vocab.subList(5, vocab.size())) {
                if (!word.startsWith("##")) {
                    int[] ids = tokenizer.encode(List.of(new Example("t", 1, List.of(word), 0))).get(0).inputIds();
                    assertEquals(3, ids.length, word);
                    assertEquals(vocab.indexOf(word), ids[1], word);
                }
            }
        }
    }

    @Test
    void theSampleReadsAndTokenisesWithoutUnknownTokens() throws Exception {
        List<Example> train = DatasetReader.read(QUICKSTART.resolve("data/train.jsonl"), "auto", task());
        List<Example> validation = DatasetReader.read(QUICKSTART.resolve("data/validation.jsonl"), "auto", task());
        assertEquals(QuickstartAssets.TRAIN_ROWS, train.size());
        assertEquals(QuickstartAssets.VALIDATION_ROWS, validation.size());
        long positives = train.stream().filter(e -> e.label() == 1).count();
        assertTrue(positives > 300 && positives < 500, "about two thirds paraphrases, as MRPC: " + positives);
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(MODEL, 128)) {
            long unknown = 0;
            long tokens = 0;
            for (EncodedExample row : tokenizer.encode(validation)) {
                tokens += row.length();
                unknown += Arrays.stream(row.inputIds()).filter(id -> id == 1).count();
            }
            assertTrue(unknown * 1000 < tokens, unknown + " [UNK] in " + tokens + " validation tokens");
        }
    }

    @Test
    void theCommittedAssetsAreWhatTheGeneratorMakes() throws Exception {
        Path mrpc = Path.of(System.getProperty("finetune.shared", "../shared"), "data", "glue-mrpc");
        assumeTrue(Files.isRegularFile(mrpc.resolve("train.jsonl")), "no shared MRPC data at " + mrpc);
        for (Map.Entry<String, String> file : QuickstartAssets.generate(mrpc).entrySet()) {
            assertEquals(file.getValue(), Files.readString(QUICKSTART.resolve(file.getKey()), StandardCharsets.UTF_8),
                    file.getKey() + " differs from the generator's output; regenerate (see QuickstartAssets)");
        }
    }
}
