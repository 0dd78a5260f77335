package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes the quickstart assets in {@code examples/quickstart/} from the shared MRPC files: a data sample
 * (the first rows of each split, verbatim), a small WordPiece uncased tokenizer whose vocabulary is
 * built from the MRPC train sentences (specials, single characters, {@code ##} characters, then the most
 * frequent words), and a small BERT config. Deterministic: {@code QuickstartAssetsTest} checks that the
 * committed files are what this makes. Regenerate with (from the project root):
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp "target/test-classes:target/classes:$(cat target/test.classpath)" \
 *     dev.finetune.trainer.data.QuickstartAssets ../shared/data/glue-mrpc examples/quickstart
 * </pre>
 */
public final class QuickstartAssets {
    static final int TRAIN_ROWS = 600;
    static final int VALIDATION_ROWS = 150;
    static final int VOCAB_SIZE = 4096;
    static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    static final int CLS = 2;
    static final int SEP = 3;
    static final List<String> LABELS = List.of("not_equivalent", "equivalent");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private QuickstartAssets() {}

    public static void main(String[] args) throws IOException {
        Path mrpc = Path.of(args.length > 0 ? args[0] : "../shared/data/glue-mrpc");
        Path out = Path.of(args.length > 1 ? args[1] : "examples/quickstart");
        for (Map.Entry<String, String> file : generate(mrpc).entrySet()) {
            Path target = out.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + target);
        }
    }

    /** The assets by path under {@code examples/quickstart/}, with their exact content. */
    static Map<String, String> generate(Path mrpc) throws IOException {
        List<String> train = Files.readAllLines(mrpc.resolve("train.jsonl"), StandardCharsets.UTF_8);
        List<String> validation = Files.readAllLines(mrpc.resolve("validation.jsonl"), StandardCharsets.UTF_8);
        List<String> vocab = vocabulary(train);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("data/train.jsonl", String.join("\n", train.subList(0, TRAIN_ROWS)) + "\n");
        files.put("data/validation.jsonl", String.join("\n", validation.subList(0, VALIDATION_ROWS)) + "\n");
        files.put("model/vocab.txt", String.join("\n", vocab) + "\n");
        files.put("model/tokenizer.json", json(tokenizerJson(vocab)));
        files.put("model/tokenizer_config.json", json(tokenizerConfig()));
        files.put("model/special_tokens_map.json", json(specialTokensMap()));
        files.put("model/config.json", json(modelConfig(vocab.size())));
        return files;
    }

    /** Specials, every character seen, each as a {@code ##} continuation, then words by frequency. */
    static List<String> vocabulary(List<String> trainLines) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        Set<String> chars = new TreeSet<>();
        for (String line : trainLines) {
            var row = JSON.readTree(line);
            for (String field : List.of("sentence1", "sentence2")) {
                for (String word : preTokenize(normalize(row.get(field).asText()))) {
                    counts.merge(word, 1, Integer::sum);
                    word.codePoints().forEach(c -> chars.add(new String(Character.toChars(c))));
                }
            }
        }
        Set<String> vocab = new LinkedHashSet<>(SPECIALS);
        vocab.addAll(chars);
        // Punctuation is always split off on its own, so it never continues a word.
        chars.stream().filter(c -> !isPunctuation(c.codePointAt(0))).forEach(c -> vocab.add("##" + c));
        List<Map.Entry<String, Integer>> byFrequency = new ArrayList<>(counts.entrySet());
        byFrequency.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> word : byFrequency) {
            if (vocab.size() >= VOCAB_SIZE) {
                break;
            }
            vocab.add(word.getKey());
        }
        return List.copyOf(vocab);
    }

    /** BertNormalizer(clean_text, handle_chinese_chars, lowercase; accents stripped as with lowercase). */
    static String normalize(String text) {
        StringBuilder clean = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == 0 || c == 0xFFFD || (isControl(c))) {
                return;
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                clean.append(' ');
            } else if (isChinese(c)) {
                clean.append(' ').appendCodePoint(c).append(' ');
            } else {
                clean.appendCodePoint(c);
            }
        });
        String decomposed = Normalizer.normalize(clean.toString(), Normalizer.Form.NFD);
        StringBuilder stripped = new StringBuilder();
        decomposed.codePoints()
                .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                .forEach(stripped::appendCodePoint);
        return stripped.toString().toLowerCase(Locale.ROOT);
    }

    /** BertPreTokenizer: split on whitespace, and every punctuation character is a word of its own. */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || isPunctuation(c)) {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
                if (isPunctuation(c)) {
                    words.add(new String(Character.toChars(c)));
                }
            } else {
                word.appendCodePoint(c);
            }
        });
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    private static boolean isPunctuation(int c) {
        if (c >= 33 && c <= 47 || c >= 58 && c <= 64 || c >= 91 && c <= 96 || c >= 123 && c <= 126) {
            return true; // all ASCII punctuation and symbols, as BERT counts them
        }
        int type = Character.getType(c);
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isChinese(int c) {
        return c >= 0x4E00 && c <= 0x9FFF || c >= 0x3400 && c <= 0x4DBF || c >= 0x20000 && c <= 0x2A6DF
                || c >= 0x2A700 && c <= 0x2B73F || c >= 0x2B740 && c <= 0x2B81F || c >= 0x2B820 && c <= 0x2CEAF
                || c >= 0xF900 && c <= 0xFAFF || c >= 0x2F800 && c <= 0x2FA1F;
    }

    private static Map<String, Object> tokenizerJson(List<String> vocab) {
        List<Map<String, Object>> added = new ArrayList<>();
        for (String special : SPECIALS) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", vocab.indexOf(special));
            token.put("content", special);
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        Map<String, Object> normalizer = new LinkedHashMap<>();
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.put("strip_accents", null);
        normalizer.put("lowercase", true);

        Map<String, Object> postProcessor = new LinkedHashMap<>();
        postProcessor.put("type", "TemplateProcessing");
        postProcessor.put("single", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)));
        postProcessor.put("pair", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0),
                sequence("B", 1), special("[SEP]", 1)));
        postProcessor.put("special_tokens", ordered(
                "[CLS]", ordered("id", "[CLS]", "ids", List.of(CLS), "tokens", List.of("[CLS]")),
                "[SEP]", ordered("id", "[SEP]", "ids", List.of(SEP), "tokens", List.of("[SEP]"))));

        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", true);

        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        model.put("vocab", ids);

        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("version", "1.0");
        tokenizer.put("truncation", null);
        tokenizer.put("padding", null);
        tokenizer.put("added_tokens", added);
        tokenizer.put("normalizer", normalizer);
        tokenizer.put("pre_tokenizer", ordered("type", "BertPreTokenizer"));
        tokenizer.put("post_processor", postProcessor);
        tokenizer.put("decoder", decoder);
        tokenizer.put("model", model);
        return tokenizer;
    }

    private static Map<String, Object> special(String token, int typeId) {
        return ordered("SpecialToken", ordered("id", token, "type_id", typeId));
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return ordered("Sequence", ordered("id", id, "type_id", typeId));
    }

    /** A map in the order given (Map.of iterates in a different order in each JVM). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> tokenizerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("do_lower_case", true);
        config.put("model_max_length", 128);
        config.put("tokenizer_class", "BertTokenizer");
        config.putAll(specialTokensMap());
        return config;
    }

    private static Map<String, Object> specialTokensMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("unk_token", "[UNK]");
        map.put("sep_token", "[SEP]");
        map.put("pad_token", "[PAD]");
        map.put("cls_token", "[CLS]");
        map.put("mask_token", "[MASK]");
        return map;
    }

    /** A small BERT (about 0.9M parameters) that trains on the sample in well under a minute on 2 cores. */
    private static Map<String, Object> modelConfig(int vocabSize) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("BertForSequenceClassification"));
        config.put("model_type", "bert");
        config.put("vocab_size", vocabSize);
        config.put("hidden_size", 128);
        config.put("num_hidden_layers", 2);
        config.put("num_attention_heads", 2);
        config.put("intermediate_size", 512);
        config.put("hidden_act", "gelu");
        config.put("hidden_dropout_prob", 0.1);
        config.put("attention_probs_dropout_prob", 0.1);
        config.put("max_position_embeddings", 128);
        config.put("type_vocab_size", 2);
        config.put("initializer_range", 0.02);
        config.put("layer_norm_eps", 1e-12);
        config.put("pad_token_id", 0);
        config.put("num_labels", LABELS.size());
        Map<String, String> id2label = new LinkedHashMap<>();
        Map<String, Integer> label2id = new LinkedHashMap<>();
        for (int i = 0; i < LABELS.size(); i++) {
            id2label.put(String.valueOf(i), LABELS.get(i));
            label2id.put(LABELS.get(i), i);
        }
        config.put("id2label", id2label);
        config.put("label2id", label2id);
        return config;
    }

    private static String json(Object value) throws IOException {
        return PRETTY.writeValueAsString(value) + "\n";
    }
}
