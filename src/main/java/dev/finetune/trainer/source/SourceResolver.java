package dev.finetune.trainer.source;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.ModelSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code spec.model.uri} and {@code spec.dataset.uri} into local paths, so that the model loader and the
 * data readers never see a URL. Schemes: {@code hf://ORG/NAME} (the Hub, cached in {@code cacheDir} in
 * huggingface_hub's layout), {@code https://} (plain downloads, cached by URL), {@code file:///abs/path},
 * {@code pvc://relative/path} (under the workspace) and a plain relative path (under {@code baseDir}).
 */
public final class SourceResolver {
    private static final Logger LOG = LoggerFactory.getLogger(SourceResolver.class);
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** The branch where the Hub's dataset viewer publishes every public dataset as Parquet. */
    static final String PARQUET_REVISION = "refs/convert/parquet";
    private static final String MODEL_FIELD = "spec.model.uri";
    private static final String DATASET_FIELD = "spec.dataset.uri";
    private static final List<String> DATA_EXTENSIONS = List.of("jsonl", "json", "csv", "tsv", "parquet");

    private final Path workspace;
    private final Path cacheDir;
    private final Path baseDir;
    private final HubClient hub;
    private final VerifiedDownload downloads;

    /**
     * @param workspace the job's volume root (/workspace in the pod; the current folder for a local run)
     * @param cacheDir  where downloads go (/workspace/.cache/hub in the pod)
     * @param token     a Hugging Face token, or null; sent only to the endpoint's host
     * @param baseDir   what relative URIs are resolved against (the manifest's folder for {@code run})
     * @param endpoint  the Hub, {@link #DEFAULT_ENDPOINT} unless HF_ENDPOINT says otherwise
     * @param listener  receives download progress (stage Downloading)
     */
    public SourceResolver(Path workspace, Path cacheDir, String token, Path baseDir, URI endpoint, DownloadListener listener) {
        this(workspace, cacheDir, token, baseDir, endpoint, listener, RetryPolicy.defaults(), Duration.ofSeconds(5));
    }

    /** As above, with the retry policy and the interval of progress log lines chosen. */
    public SourceResolver(Path workspace, Path cacheDir, String token, Path baseDir, URI endpoint, DownloadListener listener,
                          RetryPolicy retry, Duration logInterval) {
        this.workspace = workspace.toAbsolutePath().normalize();
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        this.baseDir = baseDir.toAbsolutePath().normalize();
        HttpFetcher http = new HttpFetcher(endpoint, token, retry, listener == null ? DownloadListener.NONE : listener, logInterval);
        this.downloads = new VerifiedDownload(http);
        this.hub = new HubClient(endpoint, http, downloads, new HubCache(this.cacheDir));
    }

    /**
     * The resolver a trainer uses: token from HF_TOKEN and endpoint from HF_ENDPOINT, as huggingface_hub
     * reads them; {@code cacheDir} from {@link #hubCache}, or a flag that overrides it.
     */
    public static SourceResolver fromEnvironment(Path workspace, Path cacheDir, Path baseDir, DownloadListener listener) {
        Map<String, String> env = System.getenv();
        String endpoint = env.getOrDefault("HF_ENDPOINT", "").isBlank() ? DEFAULT_ENDPOINT.toString() : env.get("HF_ENDPOINT");
        return new SourceResolver(workspace, cacheDir, env.get("HF_TOKEN"), baseDir, URI.create(endpoint), listener);
    }

    /** HF_HUB_CACHE where it is set (as huggingface_hub reads it), else {@code defaultDir}. */
    public static Path hubCache(Path defaultDir) {
        String cache = System.getenv("HF_HUB_CACHE");
        return cache == null || cache.isBlank() ? defaultDir : Path.of(cache);
    }

    /** A local folder with config.json, the safetensors weights and the tokenizer files. */
    public Path resolveModel(ModelSource model) throws SourceException {
        return resolveModel(model, SourcePins.inMemory());
    }

    /** As above; a Hub model is read at the commit {@code pins} hold for it, and pinned there at the first start. */
    public Path resolveModel(ModelSource model, SourcePins pins) throws SourceException {
        SourceUri uri = SourceUri.parse(model == null ? null : model.uri, MODEL_FIELD);
        Path dir = switch (uri.scheme()) {
            case HUB -> {
                String requested = blankTo(model.revision, "main");
                String commit = hubModel(uri.location(), pins.commit(SourcePins.Kind.MODEL, model.uri, requested).orElse(requested));
                pins.pin(SourcePins.Kind.MODEL, model.uri, requested, commit);
                yield hub.cache().snapshot(hub.cache().repoDir(HubRepoType.MODEL, uri.location()), commit);
            }
            case HTTP -> httpModel(uri.location());
            default -> {
                Path local = localPath(uri, model.uri, MODEL_FIELD);
                if ("random".equals(model.initialization)) {
                    ModelFiles.checkConfig(local, MODEL_FIELD); // from_config: the weights are not read
                } else {
                    ModelFiles.checkFolder(local, MODEL_FIELD);
                }
                yield local;
            }
        };
        LOG.info("Model {} is at {}", model.uri, dir);
        return dir;
    }

    /** The train split and, where set, the eval split as local JSONL, CSV or TSV files (see {@link DatasetFiles}). */
    public DatasetFiles resolveDataset(DatasetSource dataset) throws SourceException {
        return resolveDataset(dataset, SourcePins.inMemory());
    }

    /** As above; a Hub dataset is read at the commit {@code pins} hold for it, and pinned there at the first start. */
    public DatasetFiles resolveDataset(DatasetSource dataset, SourcePins pins) throws SourceException {
        SourceUri uri = SourceUri.parse(dataset == null ? null : dataset.uri, DATASET_FIELD);
        List<String> splits = new ArrayList<>();
        splits.add(blankTo(dataset.trainSplit, "train"));
        String evalSplit = blankTo(dataset.evalSplit, null);
        if (evalSplit != null && !splits.contains(evalSplit)) {
            splits.add(evalSplit);
        }
        String format = blankTo(dataset.format, "auto").toLowerCase(Locale.ROOT);
        DatasetFiles files = switch (uri.scheme()) {
            case HUB -> {
                String requested = blankTo(dataset.revision, "main");
                // main: the Parquet conversion of main, which every public dataset has (the dataset viewer's branch)
                String revision = pins.commit(SourcePins.Kind.DATASET, dataset.uri, requested)
                        .orElse(requested.equals("main") ? PARQUET_REVISION : requested);
                HubDataset resolved = hubDataset(uri.location(), blankTo(dataset.config, "default"), splits, revision);
                pins.pin(SourcePins.Kind.DATASET, dataset.uri, requested, resolved.commit());
                yield resolved.files();
            }
            case HTTP -> httpDataset(uri.location(), splits, format);
            default -> localDataset(localPath(uri, dataset.uri, DATASET_FIELD), splits, format);
        };
        LOG.info("Dataset {}: {}", dataset.uri, files.splits());
        return files;
    }

    // ---- models ----

    /** The commit of the model, whose snapshot in the cache is complete. */
    private String hubModel(String repo, String revision) throws SourceException {
        HubCache cache = hub.cache();
        Path repoDir = cache.repoDir(HubRepoType.MODEL, repo);
        if (HubClient.COMMIT.matcher(revision).matches() && isCompleteModel(cache.snapshot(repoDir, revision))) {
            return revision; // a commit never changes: no request at all
        }
        HubClient.Revision rev;
        try {
            rev = hub.revision(HubRepoType.MODEL, repo, revision, MODEL_FIELD);
        } catch (SourceException e) {
            Optional<String> cached = cache.readRef(repoDir, revision);
            if (!e.isPermanent() && cached.isPresent() && isCompleteModel(cache.snapshot(repoDir, cached.get()))) {
                LOG.warn("The Hub cannot be reached ({}); using the cached hf://{}@{} at {}", e.getMessage(), repo, revision,
                        cache.snapshot(repoDir, cached.get()));
                return cached.get();
            }
            throw e;
        }
        String where = "hf://" + repo + "@" + revision;
        for (String file : ModelFiles.wanted(rev.files(), where, MODEL_FIELD)) {
            Path local = hub.file(HubRepoType.MODEL, repo, rev.commit(), file, MODEL_FIELD);
            if (file.equals(ModelFiles.WEIGHTS_INDEX)) {
                for (String shard : ModelFiles.shards(local, MODEL_FIELD)) {
                    if (!rev.files().contains(shard)) {
                        throw SourceException.permanent(MODEL_FIELD + ": " + where + " lacks the shard " + shard + " named by " + file);
                    }
                    hub.file(HubRepoType.MODEL, repo, rev.commit(), shard, MODEL_FIELD);
                }
            }
        }
        hub.rememberRef(HubRepoType.MODEL, repo, revision, rev.commit());
        ModelFiles.checkFolder(cache.snapshot(repoDir, rev.commit()), MODEL_FIELD);
        return rev.commit();
    }

    private static boolean isCompleteModel(Path dir) {
        try {
            ModelFiles.checkFolder(dir, MODEL_FIELD);
            return true;
        } catch (SourceException e) {
            return false;
        }
    }

    /** An https model URI is a folder URL: the standard Hugging Face file names are fetched from it. */
    private Path httpModel(String url) throws SourceException {
        String base = url.endsWith("/") ? url : url + "/";
        Path dir = cacheDir.resolve("url--" + shortHash(base));
        fetchUrl(base + ModelFiles.CONFIG, dir.resolve(ModelFiles.CONFIG));
        if (!Files.exists(dir.resolve(ModelFiles.WEIGHTS_INDEX))) {
            try {
                fetchUrl(base + ModelFiles.WEIGHTS, dir.resolve(ModelFiles.WEIGHTS));
            } catch (NotFoundException noSingleFile) {
                try {
                    fetchUrl(base + ModelFiles.WEIGHTS_INDEX, dir.resolve(ModelFiles.WEIGHTS_INDEX));
                } catch (NotFoundException noIndex) {
                    throw ModelFiles.noSafetensors(List.of(), base, MODEL_FIELD);
                }
            }
        }
        if (Files.exists(dir.resolve(ModelFiles.WEIGHTS_INDEX)) && !Files.exists(dir.resolve(ModelFiles.WEIGHTS))) {
            for (String shard : ModelFiles.shards(dir.resolve(ModelFiles.WEIGHTS_INDEX), MODEL_FIELD)) {
                fetchUrl(base + shard, dir.resolve(shard));
            }
        }
        for (String file : ModelFiles.TOKENIZER) {
            try {
                fetchUrl(base + file, dir.resolve(file));
            } catch (NotFoundException absent) {
                LOG.debug("{} has no {}", base, file);
            }
        }
        ModelFiles.checkFolder(dir, MODEL_FIELD);
        return dir;
    }

    // ---- datasets ----

    /** A Hub dataset's files and the commit they were read at. */
    private record HubDataset(String commit, DatasetFiles files) {}

    private HubDataset hubDataset(String repo, String config, List<String> splits, String revision) throws SourceException {
        HubCache cache = hub.cache();
        Path repoDir = cache.repoDir(HubRepoType.DATASET, repo);
        if (HubClient.COMMIT.matcher(revision).matches()) {
            Map<String, Path> cached = convertedSplits(repoDir, revision, config, splits);
            if (cached.size() == splits.size()) { // a commit never changes: no request at all
                return new HubDataset(revision, new DatasetFiles(convertedFile(repoDir, revision, config, splits.get(0)).getParent(), "jsonl", cached));
            }
        }
        HubClient.Revision rev;
        try {
            rev = hub.revision(HubRepoType.DATASET, repo, revision, DATASET_FIELD);
        } catch (SourceException e) {
            Optional<String> commit = cache.readRef(repoDir, revision);
            if (!e.isPermanent() && commit.isPresent()) {
                Map<String, Path> cached = convertedSplits(repoDir, commit.get(), config, splits);
                if (cached.size() == splits.size()) {
                    LOG.warn("The Hub cannot be reached ({}); using the cached hf://{} {}", e.getMessage(), repo, cached.values());
                    return new HubDataset(commit.get(),
                            new DatasetFiles(convertedFile(repoDir, commit.get(), config, splits.get(0)).getParent(), "jsonl", cached));
                }
            }
            throw e;
        }
        Map<String, Path> result = new LinkedHashMap<>();
        for (int i = 0; i < splits.size(); i++) {
            String split = splits.get(i);
            Path target = convertedFile(repoDir, rev.commit(), config, split);
            if (!Files.isRegularFile(target)) {
                List<String> parquet = HubParquetFiles.of(rev.files(), config, split);
                if (parquet.isEmpty()) {
                    throw HubParquetFiles.missing(rev.files(), repo, config, split, i == 0 ? "spec.dataset.trainSplit" : "spec.dataset.evalSplit");
                }
                List<Path> local = new ArrayList<>();
                for (String file : parquet) {
                    local.add(hub.file(HubRepoType.DATASET, repo, rev.commit(), file, DATASET_FIELD));
                }
                convertOnce(local, target);
            }
            result.put(split, target);
        }
        hub.rememberRef(HubRepoType.DATASET, repo, revision, rev.commit());
        return new HubDataset(rev.commit(),
                new DatasetFiles(convertedFile(repoDir, rev.commit(), config, splits.get(0)).getParent(), "jsonl", result));
    }

    private static Path convertedFile(Path repoDir, String commit, String config, String split) {
        return repoDir.resolve("converted").resolve(commit).resolve(config).resolve(split + ".jsonl");
    }

    private static Map<String, Path> convertedSplits(Path repoDir, String commit, String config, List<String> splits) {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String split : splits) {
            Path file = convertedFile(repoDir, commit, config, split);
            if (Files.isRegularFile(file)) {
                found.put(split, file);
            }
        }
        return found;
    }

    /**
     * One URL is one split; {split} in the URL stands for the split's name, so one URI names them all. The
     * files land in one folder as {@code <split>.<ext>}, Parquet converted to {@code <split>.jsonl}.
     */
    private DatasetFiles httpDataset(String url, List<String> splits, String format) throws SourceException {
        if (!url.contains("{split}") && splits.size() > 1) {
            throw SourceException.permanent("spec.dataset.evalSplit: " + DATASET_FIELD + " '" + url + "' is a single file;"
                    + " put {split} in the URL (e.g. https://host/mrpc/{split}.jsonl) or leave evalSplit empty");
        }
        Path dir = cacheDir.resolve("url--" + shortHash(url));
        Map<String, Path> result = new LinkedHashMap<>();
        for (String split : splits) {
            String splitUrl = url.replace("{split}", URLEncoder.encode(split, StandardCharsets.UTF_8));
            String splitFormat = formatOf(Path.of(fileName(splitUrl)), format);
            if (splitFormat.equals("parquet")) {
                Path parquet = fetchUrl(splitUrl, dir.resolve("parquet").resolve(split + ".parquet"));
                result.put(split, convertOnce(List.of(parquet), dir.resolve(split + ".jsonl")));
            } else {
                result.put(split, fetchUrl(splitUrl, dir.resolve(split + "." + splitFormat)));
            }
        }
        return new DatasetFiles(dir, format.equals("parquet") ? "jsonl" : format, result);
    }

    private DatasetFiles localDataset(Path path, List<String> splits, String format) throws SourceException {
        Map<String, Path> found = new LinkedHashMap<>();
        if (Files.isRegularFile(path)) {
            if (splits.size() > 1) {
                throw SourceException.permanent("spec.dataset.evalSplit: " + path + " is a single file, which holds one split;"
                        + " point " + DATASET_FIELD + " at a folder with one file per split (train.jsonl, validation.jsonl) or leave evalSplit empty");
            }
            String fileFormat = formatOf(path, format);
            if (!fileFormat.equals("parquet")) {
                return new DatasetFiles(path, format, Map.of(splits.get(0), path));
            }
            Path jsonl = convertOnce(List.of(path), convertedDir(List.of(path)).resolve(splits.get(0) + ".jsonl"));
            return new DatasetFiles(jsonl, "jsonl", Map.of(splits.get(0), jsonl));
        }
        List<String> extensions = format.equals("auto") ? DATA_EXTENSIONS
                : format.equals("jsonl") ? List.of("jsonl", "json") : List.of(format);
        for (String split : splits) {
            Path file = extensions.stream().map(ext -> path.resolve(split + "." + ext)).filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> SourceException.permanent(DATASET_FIELD + ": no file for split '" + split + "' in " + path
                            + " (looked for " + String.join(", ", extensions.stream().map(e -> split + "." + e).toList()) + ")"));
            found.put(split, file);
        }
        List<Path> parquet = found.values().stream().filter(f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".parquet")).toList();
        if (parquet.isEmpty()) {
            return new DatasetFiles(path, format, found);
        }
        // Parquet splits become <split>.jsonl in a folder of the cache; the other splits are linked beside them.
        Path dir = convertedDir(parquet);
        Map<String, Path> result = new LinkedHashMap<>();
        for (Map.Entry<String, Path> split : found.entrySet()) {
            Path file = split.getValue();
            if (parquet.contains(file)) {
                result.put(split.getKey(), convertOnce(List.of(file), dir.resolve(split.getKey() + ".jsonl")));
            } else {
                result.put(split.getKey(), linkInto(dir, file));
            }
        }
        return new DatasetFiles(dir, format.equals("parquet") ? "jsonl" : format, result);
    }

    /** A cache folder for conversions of local Parquet files, keyed by their paths, sizes and modification times. */
    private Path convertedDir(List<Path> parquetFiles) throws SourceException {
        StringBuilder key = new StringBuilder();
        try {
            for (Path file : parquetFiles) {
                key.append(file.toAbsolutePath()).append('|').append(Files.size(file)).append('|')
                        .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
            }
        } catch (IOException e) {
            throw SourceException.permanent(DATASET_FIELD + ": cannot read " + parquetFiles + ": " + e.getMessage());
        }
        return cacheDir.resolve("converted--" + shortHash(key.toString()));
    }

    private static Path convertOnce(List<Path> parquetFiles, Path jsonlTarget) throws SourceException {
        if (!Files.isRegularFile(jsonlTarget)) {
            ParquetConverter.toJsonl(parquetFiles, jsonlTarget, DATASET_FIELD);
        }
        return jsonlTarget;
    }

    private static Path linkInto(Path dir, Path file) throws SourceException {
        Path link = dir.resolve(file.getFileName());
        try {
            Files.createDirectories(dir);
            if (!Files.exists(link)) {
                Files.deleteIfExists(link); // a dangling link to a file since moved
                Files.createSymbolicLink(link, file.toAbsolutePath());
            }
            return link;
        } catch (IOException | UnsupportedOperationException e) {
            throw SourceException.transientFailure(DATASET_FIELD + ": cannot link " + file + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String formatOf(Path file, String format) throws SourceException {
        if (!format.equals("auto")) {
            return format;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.substring(name.lastIndexOf('.') + 1);
        if (!DATA_EXTENSIONS.contains(ext)) {
            throw SourceException.permanent("spec.dataset.format: cannot tell the format of " + file
                    + " from its extension; name it .jsonl, .csv, .tsv or .parquet, or set spec.dataset.format");
        }
        return ext.equals("json") ? "jsonl" : ext;
    }

    // ---- shared ----

    private Path fetchUrl(String url, Path target) throws SourceException {
        URI uri = URI.create(url);
        String name = target.getFileName().toString();
        return downloads.fetch(uri, target, -1, null, name, "download of " + url);
    }

    private Path localPath(SourceUri uri, String original, String field) throws SourceException {
        Path path = switch (uri.scheme()) {
            case FILE -> Path.of(uri.location());
            case PVC -> workspace.resolve(uri.location()).normalize();
            default -> baseDir.resolve(uri.location()).normalize();
        };
        if (uri.scheme() == SourceUri.Scheme.PVC && !path.startsWith(workspace)) {
            throw SourceException.permanent(field + " '" + original + "' leaves the job's volume");
        }
        if (!Files.exists(path)) {
            throw SourceException.permanent(field + " '" + original + "': " + path + " does not exist");
        }
        return path;
    }

    private static String fileName(String url) {
        String path = URI.create(url).getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        last = URLDecoder.decode(last, StandardCharsets.UTF_8).replaceAll("[^\\w.-]", "_");
        return last.isEmpty() || last.startsWith(".") ? "download" + last : last;
    }

    private static String blankTo(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
