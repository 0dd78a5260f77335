package dev.finetune.trainer.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides how a data file tokenises, and its hash: the cache folder's name. A change to any
 * part (the file's bytes, its format, the tokenizer files, maxLength, the text and label fields, the labels)
 * gives another key, so a stale cache is never read.
 *
 * @param parts the parts, readable (kept in the cache's meta.json)
 * @param hash the SHA-256 of the parts, hex, shortened to 32 digits (128 bits)
 */
record TokenizationKey(Map<String, String> parts, String hash) {
    /** Files of a model folder that the tokenizer (or the pad id) is read from. */
    static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json");

    static TokenizationKey of(Path dataFile, DataFormat format, TaskSpec task, Path modelDir) throws IOException {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("format_version", String.valueOf(TokenizedRows.FORMAT_VERSION));
        parts.put("data_sha256", sha256(dataFile));
        parts.put("data_format", format.extension());
        for (String name : TOKENIZER_FILES) {
            Path file = modelDir.resolve(name);
            parts.put(name + "_sha256", Files.isRegularFile(file) ? sha256(file) : "absent");
        }
        parts.put("tokenizers_version", String.valueOf(HuggingFaceTokenizer.class.getPackage().getImplementationVersion()));
        parts.put("max_length", String.valueOf(task.maxLength));
        parts.put("text_fields", String.valueOf(task.textFields));
        parts.put("label_field", String.valueOf(task.labelField));
        parts.put("label_names", String.valueOf(task.labelNames));
        parts.put("num_labels", String.valueOf(task.numLabels));
        parts.put("problem_type", TaskRules.problemType(task));
        if (TaskRules.isTokenClassification(task)) {
            // Rows of words: other columns, another tokenisation (is_split_into_words) and per-token labels.
            parts.put("task_type", TaskRules.type(task));
            parts.put("tokens_field", task.tokensField);
            parts.put("tags_field", task.tagsField);
        }
        MessageDigest digest = sha256();
        parts.forEach((name, value) -> digest.update((name + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
        return new TokenizationKey(Collections.unmodifiableMap(parts), HexFormat.of().formatHex(digest.digest()).substring(0, 32));
    }

    /**
     * The key of a pre-tokenised file: no tokenizer is involved, but the model's limits its rows were checked against
     * (config.json) and the padding id are, so a change to either checks and writes the rows again.
     */
    static TokenizationKey ofPretokenized(Path dataFile, DataFormat format, TaskSpec task, ModelInputs model)
            throws IOException {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("format_version", String.valueOf(TokenizedRows.FORMAT_VERSION));
        parts.put("input", "pretokenized");
        parts.put("data_sha256", sha256(dataFile));
        parts.put("data_format", format.extension());
        parts.put("config.json_sha256", Files.isRegularFile(model.config()) ? sha256(model.config()) : "absent");
        parts.put("vocab_size", String.valueOf(model.vocabSize()));
        parts.put("type_vocab_size", String.valueOf(model.typeVocabSize()));
        parts.put("pad_token_id", String.valueOf(model.padTokenId()));
        parts.put("max_input_length", String.valueOf(model.maxInputLength()));
        parts.put("max_length", String.valueOf(task.maxLength));
        parts.put("label_field", String.valueOf(task.labelField));
        parts.put("label_names", String.valueOf(task.labelNames));
        parts.put("num_labels", String.valueOf(task.numLabels));
        // The same label cells are a class id, a label set or a score by problem type: the cached rows differ.
        parts.put("problem_type", TaskRules.problemType(task));
        if (TaskRules.isTokenClassification(task)) {
            parts.put("task_type", TaskRules.type(task));
            parts.put("tags_field", task.tagsField);
        }
        return of(parts);
    }

    private static TokenizationKey of(Map<String, String> parts) {
        MessageDigest digest = sha256();
        parts.forEach((name, value) -> digest.update((name + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
        return new TokenizationKey(Collections.unmodifiableMap(parts), HexFormat.of().formatHex(digest.digest()).substring(0, 32));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
