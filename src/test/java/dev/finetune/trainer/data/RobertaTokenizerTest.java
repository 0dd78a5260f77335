package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A byte-level BPE tokenizer.json with RoBERTa's post_processor through DJL, as transformers' RobertaTokenizerFast
 * encodes: {@code <s> A </s>} and {@code <s> A </s></s> B </s>}, token type ids all 0 (the only row of RoBERTa's
 * type_vocab_size 1), {@code longest_first} truncation counting the four special tokens of a pair.
 */
class RobertaTokenizerTest {
    @TempDir
    Path dir;

    private final Map<String, Integer> vocab = TinyRobertaTokenizer.vocab();

    /** The ids of {@code symbols}, each a vocabulary entry. */
    private List<Integer> ids(String... symbols) {
        List<Integer> out = new ArrayList<>();
        for (String s : symbols) {
            Integer id = vocab.get(s);
            if (id == null) {
                throw new AssertionError("not in the vocabulary: " + s);
            }
            out.add(id);
        }
        return out;
    }

    private static List<Integer> list(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static Example row(String... texts) {
        return new Example("test", 1, List.of(texts), 0);
    }

    @Test
    void aPairIsSeparatedByTwoEosAndHasNoTokenTypes() throws Exception {
        TinyRobertaTokenizer.write(dir);
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(dir, 64)) {
            assertEquals(TinyRobertaTokenizer.PAD, tokenizer.padTokenId(), "<pad> from tokenizer_config.json");
            EncodedExample pair = tokenizer.encode(List.of(row("the cat", "a hat!"))).get(0);
            // "the cat" -> "the" (t, he: "t he" is no merge), " cat" (Ġc at -> Ġcat); "a hat!" -> a, Ġ h at, !
            List<Integer> expected = new ArrayList<>(List.of(TinyRobertaTokenizer.BOS));
            expected.addAll(ids("t", "he", "Ġcat"));
            expected.addAll(List.of(TinyRobertaTokenizer.EOS, TinyRobertaTokenizer.EOS));
            expected.addAll(ids("a", "Ġ", "h", "at", "!"));
            expected.add(TinyRobertaTokenizer.EOS);
            assertEquals(expected, list(pair.inputIds()));
            assertEquals(Collections.nCopies(expected.size(), 0), list(pair.tokenTypeIds()),
                    "RobertaProcessing gives every token type 0");

            EncodedExample single = tokenizer.encode(List.of(row(" the"))).get(0);
            List<Integer> one = new ArrayList<>(List.of(TinyRobertaTokenizer.BOS));
            one.addAll(ids("Ġthe"));
            one.add(TinyRobertaTokenizer.EOS);
            assertEquals(one, list(single.inputIds()), "<s> A </s>; Ġ t, then Ġt he merge");
        }
    }

    @Test
    void longestFirstTruncationCountsTheFourSpecialTokensOfAPair() throws Exception {
        TinyRobertaTokenizer.write(dir);
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(dir, 12)) { // 8 tokens of text
            EncodedExample longFirst = tokenizer.encode(List.of(row("abcdefghij", "xyz"))).get(0);
            List<Integer> expected = new ArrayList<>(List.of(TinyRobertaTokenizer.BOS));
            expected.addAll(ids("a", "b", "c", "d", "e"));
            expected.addAll(List.of(TinyRobertaTokenizer.EOS, TinyRobertaTokenizer.EOS));
            expected.addAll(ids("x", "y", "z"));
            expected.add(TinyRobertaTokenizer.EOS);
            assertEquals(expected, list(longFirst.inputIds()), "the longer first text is cut, the short second kept");

            EncodedExample bothLong = tokenizer.encode(List.of(row("abcdefghij", "klmnopq"))).get(0);
            List<Integer> both = new ArrayList<>(List.of(TinyRobertaTokenizer.BOS));
            both.addAll(ids("a", "b", "c", "d"));
            both.addAll(List.of(TinyRobertaTokenizer.EOS, TinyRobertaTokenizer.EOS));
            both.addAll(ids("k", "l", "m", "n"));
            both.add(TinyRobertaTokenizer.EOS);
            assertEquals(both, list(bothLong.inputIds()), "both cut to half once they are equally long");

            EncodedExample single = tokenizer.encode(List.of(row("abcdefghijklmnop"))).get(0);
            assertEquals(12, single.length(), "a single text keeps 10 tokens beside <s> and </s>");
            assertEquals(TinyRobertaTokenizer.EOS, single.inputIds()[11]);
        }
    }
}
