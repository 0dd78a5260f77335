package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.checkpoint.AtomicFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokenised splits cached on disk, one folder of {@link TokenizedRows} per {@link TokenizationKey}, as the
 * datasets library caches a processed split: a restart maps the folder instead of tokenising again, and a change
 * to the data, the tokenizer, maxLength or the fields gives a new key and a fresh tokenisation. A folder is
 * written under a temporary name and renamed into place ({@link AtomicFolder}); one that fails its checks
 * (a crash, a truncated or altered file) is ignored and written again. Only one trainer uses a cache folder
 * at a time (each job has its own, {@link #forJob}), so folders of other keys are removed.
 */
public final class TokenizedCache {
    private static final Logger LOG = LoggerFactory.getLogger(TokenizedCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rows per call of the tokenizer while streaming a file: bounded heap, yet batches for its threads. */
    private static final int CHUNK = 1024;

    /** Opens the tokenizer; tests count the calls. */
    @FunctionalInterface
    interface TokenizerLoader {
        PairTokenizer load(Path modelDir, int maxLength) throws IOException;
    }

    private final Path root;
    private final TokenizerLoader loader;

    /**
     * The cache of the job whose output folder is {@code output}: {@code <output>/../.cache/tokenized/<job>/}, so
     * {@code /workspace/.cache/tokenized/<job>/} in the pod (on the volume, beside the Hub cache) and
     * {@code runs/.cache/tokenized/<job>/} for {@code run}; the output folder itself holds only checkpoints.
     */
    public static TokenizedCache forJob(Path output) {
        Path absolute = output.toAbsolutePath().normalize();
        Path parent = absolute.getParent() == null ? absolute : absolute.getParent();
        String job = absolute.getFileName() == null ? "job" : absolute.getFileName().toString();
        return new TokenizedCache(parent.resolve(".cache").resolve("tokenized").resolve(job));
    }

    /** @param root the cache folder of one job */
    public TokenizedCache(Path root) {
        this(root, PairTokenizer::fromModelDir);
    }

    TokenizedCache(Path root, TokenizerLoader loader) {
        this.root = root;
        this.loader = loader;
    }

    public Path root() {
        return root;
    }

    /** As {@link #load(List, String, TaskSpec, Path, ModelInputs)} for text rows only (no model limits to check ids by). */
    public List<TokenizedRows> load(List<Path> files, String format, TaskSpec task, Path modelDir) throws IOException {
        return load(files, format, task, modelDir, null);
    }

    /**
     * The tokenised rows of each of {@code files}, in order: mapped from the cache where a valid folder of their
     * key exists, else read, checked and tokenised into it. Every file to be tokenised is read and checked first,
     * so a bad row in any of them fails before the (slow) tokenisation starts; the tokenizer is loaded only when
     * some file needs it. Pre-tokenised files (an input_ids column) are checked against {@code model} and written
     * as they are, with no tokenizer; the files must all be of one kind.
     *
     * @param model the model's input limits, for pre-tokenised rows (null: text rows only)
     */
    public List<TokenizedRows> load(List<Path> files, String format, TaskSpec task, Path modelDir, ModelInputs model)
            throws IOException {
        boolean pretokenized = pretokenized(files, format, model);
        Map<Path, TokenizationKey> keys = new LinkedHashMap<>();
        Map<String, TokenizedRows> found = new LinkedHashMap<>();
        for (Path file : files) {
            DataFormat dataFormat = DataFormat.of(format, file);
            TokenizationKey key = pretokenized ? TokenizationKey.ofPretokenized(file, dataFormat, task, model)
                    : TokenizationKey.of(file, dataFormat, task, modelDir);
            keys.put(file, key);
            if (!found.containsKey(key.hash())) {
                TokenizedRows cached = cached(file, root.resolve(key.hash()));
                if (cached != null) {
                    found.put(key.hash(), cached);
                }
            }
        }
        List<Path> missing = files.stream().filter(f -> !found.containsKey(keys.get(f).hash())).distinct().toList();
        for (Path file : missing) {
            if (pretokenized) {
                DatasetReader.forEachPretokenized(file, format, task, model, row -> {});
            } else {
                DatasetReader.forEach(file, format, task, example -> {});
            }
        }
        if (pretokenized) {
            int idBytes = model.vocabSize() <= 0x10000 ? 2 : 4;
            for (Path file : missing) {
                TokenizationKey key = keys.get(file);
                if (!found.containsKey(key.hash())) {
                    found.put(key.hash(), write(file, key, idBytes, model.padTokenId(),
                            writer -> DatasetReader.forEachPretokenized(file, format, task, model, row -> append(writer, List.of(row)))));
                }
            }
        } else if (!missing.isEmpty()) {
            try (PairTokenizer tokenizer = TaskRules.isTokenClassification(task)
                    ? PairTokenizer.forWords(modelDir, task.maxLength) : loader.load(modelDir, task.maxLength)) {
                int idBytes = idBytes(modelDir.resolve("tokenizer.json"));
                for (Path file : missing) {
                    TokenizationKey key = keys.get(file);
                    if (!found.containsKey(key.hash())) {
                        found.put(key.hash(), write(file, key, idBytes, tokenizer.padTokenId(),
                                writer -> tokenize(file, format, task, tokenizer, writer)));
                    }
                }
            }
        }
        removeAllBut(found.keySet());
        List<TokenizedRows> rows = new ArrayList<>();
        for (Path file : files) {
            rows.add(found.get(keys.get(file).hash()));
        }
        return rows;
    }

    /** Whether the files are pre-tokenised; all of them or none (the first file decides, a file of the other kind is named). */
    private static boolean pretokenized(List<Path> files, String format, ModelInputs model) {
        Boolean first = null;
        for (Path file : files) {
            boolean pretokenized = DatasetReader.isPretokenized(file, format);
            if (first == null) {
                first = pretokenized;
            } else if (pretokenized != first) {
                throw DataException.inFile(file, (pretokenized ? "holds pre-tokenised rows (input_ids) but " + files.get(0)
                        + " holds text rows" : "holds text rows but " + files.get(0) + " holds pre-tokenised rows (input_ids)")
                        + ": the splits of a dataset are either all pre-tokenised or all text");
            }
        }
        if (Boolean.TRUE.equals(first) && model == null) {
            throw DataException.inFile(files.get(0), "holds pre-tokenised rows (input_ids), which need the model's limits to be checked");
        }
        return Boolean.TRUE.equals(first);
    }

    private static TokenizedRows cached(Path file, Path folder) {
        if (!Files.isDirectory(folder)) {
            return null;
        }
        try {
            TokenizedRows rows = TokenizedRows.open(folder);
            LOG.info("Loading tokenized dataset from cache {} ({} rows of {})", folder, rows.size(), file);
            return rows;
        } catch (IOException e) {
            LOG.warn("Ignoring the tokenized cache {} ({}); tokenizing {} again", folder, e.getMessage(), file);
            return null;
        }
    }

    /** Streams a file's rows into a {@link TokenizedRowsWriter}. */
    @FunctionalInterface
    private interface RowSource {
        void writeTo(TokenizedRowsWriter writer) throws IOException;
    }

    private TokenizedRows write(Path file, TokenizationKey key, int idBytes, int padTokenId, RowSource rows) throws IOException {
        Path destination = root.resolve(key.hash());
        LOG.info("Tokenizing {} into the cache {}", file, destination);
        long start = System.nanoTime();
        AtomicFolder folder = AtomicFolder.begin(destination);
        try {
            try (TokenizedRowsWriter writer = new TokenizedRowsWriter(folder.path(), idBytes)) {
                try {
                    rows.writeTo(writer);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                writer.finish(padTokenId, key.parts());
                LOG.info("Tokenized {} rows of {} in {} ms", writer.rows(), file, (System.nanoTime() - start) / 1_000_000);
            }
            folder.commit();
        } catch (IOException | RuntimeException e) {
            folder.abandon();
            throw e;
        }
        return TokenizedRows.open(destination);
    }

    /** Text rows through the tokenizer, in chunks: bounded heap, yet batches for its threads. */
    private static void tokenize(Path file, String format, TaskSpec task, PairTokenizer tokenizer, TokenizedRowsWriter writer) {
        List<Example> chunk = new ArrayList<>(CHUNK);
        DatasetReader.forEach(file, format, task, example -> {
            chunk.add(example);
            if (chunk.size() == CHUNK) {
                append(writer, tokenizer.encode(chunk));
                chunk.clear();
            }
        });
        if (!chunk.isEmpty()) {
            append(writer, tokenizer.encode(chunk));
        }
    }

    private static void append(TokenizedRowsWriter writer, List<EncodedExample> rows) {
        try {
            for (EncodedExample row : rows) {
                writer.append(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the folders of other keys and leftovers of interrupted writes: the data they were made from changed. */
    private void removeAllBut(Set<String> keep) {
        Set<String> names = new HashSet<>(keep);
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                if (!names.contains(entry.getFileName().toString())) {
                    LOG.info("Removing the unused tokenized cache {}", entry);
                    AtomicFolder.deleteTree(entry);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not clean the tokenized cache {}: {}", root, e.getMessage());
        }
    }

    /** 2 when every id of the tokenizer's vocabulary and added tokens fits in an unsigned 16-bit int, else 4. */
    static int idBytes(Path tokenizerJson) throws IOException {
        JsonNode tokenizer = JSON.readTree(tokenizerJson.toFile());
        JsonNode vocab = tokenizer.path("model").path("vocab");
        long maxId;
        if (vocab.isObject()) {
            maxId = -1;
            for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                maxId = Math.max(maxId, id.asLong(Long.MAX_VALUE));
            }
        } else if (vocab.isArray()) {
            maxId = vocab.size() - 1L; // Unigram: a list of [piece, score], ids by position
        } else {
            return 4;
        }
        for (JsonNode added : tokenizer.path("added_tokens")) {
            maxId = Math.max(maxId, added.path("id").asLong(Long.MAX_VALUE));
        }
        return maxId <= 0xFFFF ? 2 : 4;
    }
}
