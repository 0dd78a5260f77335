package dev.finetune.trainer.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tokenises examples with the model folder's {@code tokenizer.json} (Hugging Face tokenizers through
 * DJL, offline): {@code [CLS] a [SEP] b [SEP]} with token type ids, truncated {@code longest_first} to
 * {@code maxLength}, never padded here (batches are padded to their own longest row).
 */
public final class PairTokenizer implements AutoCloseable {
    /** Rows per call of the tokenizer's batch API: large enough to use its threads, small in memory. */
    private static final int CHUNK = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sentencepiece model files transformers' slow tokenizers read. */
    static final List<String> SENTENCEPIECE_FILES = List.of("spm.model", "sentencepiece.bpe.model", "spiece.model");

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final int padTokenId;
    /** Rows are lists of words (TokenClassification), each word tokenised on its own as is_split_into_words=True. */
    private final boolean splitIntoWords;

    private PairTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, int padTokenId, boolean splitIntoWords) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padTokenId = padTokenId;
        this.splitIntoWords = splitIntoWords;
    }

    /** Loads {@code modelDir/tokenizer.json}; {@code maxLength} is {@code spec.task.maxLength}. */
    public static PairTokenizer fromModelDir(Path modelDir, int maxLength) throws IOException {
        return load(modelDir, maxLength, false);
    }

    /**
     * For rows of words (TokenClassification), as a fast tokenizer called with is_split_into_words=True: each word
     * is pre-tokenised on its own, and a byte-level BPE tokenizer (RoBERTa's) gets add_prefix_space=True, as
     * transformers requires for words, so that every word is encoded as it is in running text ("Ġword").
     */
    public static PairTokenizer forWords(Path modelDir, int maxLength) throws IOException {
        return load(modelDir, maxLength, true);
    }

    private static PairTokenizer load(Path modelDir, int maxLength, boolean splitIntoWords) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": no such file (the model folder needs a Hugging Face tokenizer.json"
                    + sentencepieceOnly(modelDir) + "; or give pre-tokenised rows, with an input_ids column, which need no tokenizer)");
        }
        if (maxLength < 4) {
            throw new DataException("spec.task.maxLength must be at least 4, got " + maxLength);
        }
        HuggingFaceTokenizer tokenizer;
        Path prefixSpaced = splitIntoWords ? ByteLevelPrefixSpace.withPrefixSpace(file) : null;
        try {
            tokenizer = HuggingFaceTokenizer.builder(Map.of(
                            // DJL caps maxLength at modelMaxLength (512 unless told): the model checks its own limit.
                            "modelMaxLength", String.valueOf(maxLength)))
                    .optTokenizerPath(prefixSpaced != null ? prefixSpaced : file)
                    .optAddSpecialTokens(true)
                    .optTruncation(true) // longest_first
                    .optPadding(false) // overrides padding baked into tokenizer.json
                    .optMaxLength(maxLength)
                    .build();
        } catch (RuntimeException e) {
            // The Rust library's words alone ("data did not match any variant...") do not say which file.
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new DataException(file + ": the Hugging Face tokenizers library cannot load it: " + reason, e);
        } finally {
            if (prefixSpaced != null) {
                ByteLevelPrefixSpace.delete(prefixSpaced);
            }
        }
        try {
            return new PairTokenizer(tokenizer, maxLength, padTokenId(tokenizer, modelDir), splitIntoWords);
        } catch (RuntimeException | IOException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Where the folder ships only a sentencepiece model (DeBERTa-v3's spm.model, XLM-R's sentencepiece.bpe.model), what
     * to do about it: DJL's tokenizers read tokenizer.json only, which transformers' fast tokenizer writes.
     */
    private static String sentencepieceOnly(Path modelDir) {
        for (String name : SENTENCEPIECE_FILES) {
            if (Files.isRegularFile(modelDir.resolve(name))) {
                return "; it has only the sentencepiece model " + name + ", which the trainer does not read: write a tokenizer.json"
                        + " with transformers (AutoTokenizer.from_pretrained(folder).save_pretrained(folder) converts it)";
            }
        }
        return "";
    }

    public int maxLength() {
        return maxLength;
    }

    /** The id batches are padded with, from the tokenizer's own pad token (not assumed to be 0). */
    public int padTokenId() {
        return padTokenId;
    }

    /** Tokenises all examples once, up front, through the tokenizer's batch API. */
    public List<EncodedExample> encode(List<Example> examples) {
        if (splitIntoWords) {
            return examples.stream().map(this::encodeWords).toList();
        }
        List<EncodedExample> encoded = new ArrayList<>(examples.size());
        for (int from = 0; from < examples.size(); from += CHUNK) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + CHUNK));
            Encoding[] encodings = encodeChunk(chunk);
            for (int i = 0; i < encodings.length; i++) {
                encoded.add(new EncodedExample(toInts(encodings[i].getIds()),
                        toInts(encodings[i].getTypeIds()), chunk.get(i).label(), chunk.get(i).targets(), null));
            }
        }
        return encoded;
    }

    /**
     * A row of words, truncated to maxLength, with its labels aligned as run_ner.py does (label_all_tokens=False):
     * the word's tag on its first sub-token, {@link EncodedExample#IGNORED} on the others and on the special tokens.
     * Words cut off by truncation get no label, as there; a word that yields no token at all is refused, since its
     * tag would be lost silently.
     */
    private EncodedExample encodeWords(Example example) {
        List<String> words = example.texts();
        Encoding encoding = tokenizer.encode(words.toArray(String[]::new), true, false);
        long[] wordIds = encoding.getWordIds();
        long[] special = encoding.getSpecialTokenMask();
        int[] labels = new int[wordIds.length];
        long previous = -1;
        for (int t = 0; t < wordIds.length; t++) {
            long word = special[t] == 1 ? -1 : wordIds[t];
            if (word < 0 || word == previous) {
                labels[t] = EncodedExample.IGNORED;
            } else {
                if (word != previous + 1) {
                    throw DataException.atLine(Path.of(example.file()), example.line(), "word " + (previous + 1) + " ('"
                            + words.get((int) previous + 1) + "') yields no token with this tokenizer, so its tag would be lost");
                }
                labels[t] = example.wordTags() == null ? Example.NO_LABEL : example.wordTags()[(int) word];
                previous = word;
            }
        }
        return new EncodedExample(toInts(encoding.getIds()), toInts(encoding.getTypeIds()), Example.NO_LABEL, null, null, labels);
    }

    private Encoding[] encodeChunk(List<Example> chunk) {
        int textCount = chunk.get(0).texts().size();
        for (Example e : chunk) {
            if (e.texts().size() != textCount) {
                throw new IllegalArgumentException(e.file() + ":" + e.line() + ": " + e.texts().size()
                        + " texts where the other rows have " + textCount);
            }
        }
        if (textCount == 1) {
            return tokenizer.batchEncode(chunk.stream().map(e -> e.texts().get(0)).toList());
        }
        PairList<String, String> pairs = new PairList<>(chunk.size());
        for (Example e : chunk) {
            pairs.add(e.texts().get(0), e.texts().get(1));
        }
        return tokenizer.batchEncode(pairs);
    }

    /**
     * The pad token of {@code tokenizer_config.json} (or the padding section of tokenizer.json), looked
     * up in the vocabulary; else {@code pad_token_id} of config.json.
     */
    private static int padTokenId(HuggingFaceTokenizer tokenizer, Path modelDir) throws IOException {
        String padToken = padTokenName(modelDir);
        if (padToken != null) {
            long[] ids = tokenizer.encode(padToken, false, false).getIds();
            if (ids.length == 1) {
                return (int) ids[0];
            }
        }
        Path config = modelDir.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonNode id = readJson(config).get("pad_token_id");
            if (id != null && id.canConvertToInt()) {
                return id.intValue();
            }
        }
        throw new DataException(modelDir + ": cannot tell the pad token: set pad_token in tokenizer_config.json"
                + " or pad_token_id in config.json");
    }

    private static String padTokenName(Path modelDir) throws IOException {
        Path tokenizerConfig = modelDir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tokenizerConfig)) {
            JsonNode pad = readJson(tokenizerConfig).get("pad_token");
            if (pad != null && pad.isTextual()) {
                return pad.asText();
            }
            if (pad != null && pad.hasNonNull("content")) {
                return pad.get("content").asText(); // the AddedToken form
            }
        }
        JsonNode padding = readJson(modelDir.resolve("tokenizer.json")).get("padding");
        if (padding != null && padding.hasNonNull("pad_token")) {
            return padding.get("pad_token").asText();
        }
        return null;
    }

    /** A JSON file of the model folder; a parse error names the file, line and column. */
    private static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw DataException.inFile(file, "not valid JSON: expected a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataException(file + (e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr())
                    + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
