package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny byte-level BPE tokenizer.json laid out as roberta-base's: {@code <s>}=0 {@code <pad>}=1 {@code </s>}=2
 * {@code <unk>}=3, the 256 byte symbols of GPT-2's byte-to-unicode table (so any text encodes), a few merges, then
 * {@code <mask>}; ByteLevel pre-tokenizer and decoder, RobertaProcessing as post_processor.
 */
public final class TinyRobertaTokenizer {
    public static final int BOS = 0;
    public static final int PAD = 1;
    public static final int EOS = 2;
    /** The merges, in rank order, and the tokens they make (appended to the vocabulary in that order). */
    static final List<String> MERGES = List.of("h e", "Ġ t", "Ġt he", "Ġ c", "a t", "Ġc at");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyRobertaTokenizer() {}

    /** The vocabulary: token -> id. */
    public static Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String special : List.of("<s>", "<pad>", "</s>", "<unk>")) {
            vocab.put(special, vocab.size());
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(byteSymbol(b)), vocab.size());
        }
        for (String merge : MERGES) {
            vocab.putIfAbsent(merge.replace(" ", ""), vocab.size());
        }
        vocab.put("<mask>", vocab.size());
        return vocab;
    }

    public static int vocabSize() {
        return vocab().size();
    }

    /**
     * GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others (control, space, ...) for 256, 257,
     * ... in byte order, so that no symbol is whitespace (a space is 'Ġ', U+0120).
     */
    static char byteSymbol(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int n = 0;
        for (int i = 0; i < b; i++) {
            if (!((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF))) {
                n++;
            }
        }
        return (char) (256 + n);
    }

    /** Writes tokenizer.json and tokenizer_config.json (pad_token {@code <pad>}) into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> vocab = vocab();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("<s>", "<pad>", "</s>", "<unk>", "<mask>")) {
            ObjectNode token = added.addObject();
            token.put("id", vocab.get(special));
            token.put("content", special);
            token.put("single_word", false);
            token.put("lstrip", special.equals("<mask>"));
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false));
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "RobertaProcessing");
        post.putArray("sep").add("</s>").add(EOS);
        post.putArray("cls").add("<s>").add(BOS);
        post.put("trim_offsets", true);
        post.put("add_prefix_space", false);
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode merges = model.putArray("merges");
        MERGES.forEach(merges::add);
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"RobertaTokenizer\","
                + " \"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"sep_token\": \"</s>\", \"cls_token\": \"<s>\","
                + " \"unk_token\": \"<unk>\", \"pad_token\": \"<pad>\", \"mask_token\": \"<mask>\"}\n");
    }

    private static ObjectNode byteLevel(boolean prefixSpace) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", prefixSpace);
        node.put("trim_offsets", true);
        node.put("use_regex", true);
        return node;
    }
}
