package dev.finetune.trainer.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Hub's HTTP API as huggingface_hub uses it: {@code GET /api/{models|datasets}/REPO/revision/REV} for the
 * commit and file list, and {@code /REPO/resolve/COMMIT/FILE} (HEAD for ETag and size, then GET) into the
 * {@link HubCache}. Files are always fetched by commit, so a branch moving mid-download cannot mix versions.
 */
final class HubClient {
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A repo at one commit and the files it holds. */
    record Revision(String commit, List<String> files) {
    }

    private final String endpoint;
    private final HttpFetcher http;
    private final VerifiedDownload downloads;
    private final HubCache cache;

    HubClient(URI endpoint, HttpFetcher http, VerifiedDownload downloads, HubCache cache) {
        String text = endpoint.toString();
        this.endpoint = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.http = http;
        this.downloads = downloads;
        this.cache = cache;
    }

    HubCache cache() {
        return cache;
    }

    Revision revision(HubRepoType type, String repo, String revision, String what) throws SourceException {
        URI url = URI.create(endpoint + "/" + type.apiPath() + repo + "/revision/" + encode(revision));
        String body = http.getText(url, what + ": revision '" + revision + "' of " + repo);
        try {
            JsonNode info = JSON.readTree(body);
            String commit = info.path("sha").asText("");
            if (!COMMIT.matcher(commit).matches()) {
                throw SourceException.permanent(what + ": the Hub's answer for " + repo + "@" + revision + " has no commit sha");
            }
            List<String> files = new ArrayList<>();
            for (JsonNode sibling : info.path("siblings")) {
                files.add(sibling.path("rfilename").asText());
            }
            return new Revision(commit, files);
        } catch (IOException e) {
            throw SourceException.permanent(what + ": the Hub's answer for " + repo + "@" + revision + " is not JSON: " + e.getMessage());
        }
    }

    /** {@code snapshots/<commit>/<file>} in the cache, downloaded unless it is there already. */
    Path file(HubRepoType type, String repo, String commit, String file, String what) throws SourceException {
        if (file.isEmpty() || file.startsWith("/") || file.contains("\\") || Arrays.asList(file.split("/")).contains("..")) {
            throw SourceException.permanent(what + ": " + repo + " lists an unsafe file name '" + file + "'");
        }
        Path repoDir = cache.repoDir(type, repo);
        Path local = cache.snapshot(repoDir, commit).resolve(file);
        if (Files.exists(local)) {
            return local;
        }
        URI url = URI.create(endpoint + "/" + type.resolvePrefix() + repo + "/resolve/" + commit + "/" + encodePath(file));
        String fileWhat = what + ": " + file + " of " + repo;
        RemoteFile remote = http.head(url, fileWhat);
        Path blob = cache.blob(repoDir, remote.etag());
        downloads.fetch(url, blob, remote.size(), remote.etagIsSha256() ? remote.etag() : null, file, fileWhat);
        try {
            return cache.link(repoDir, commit, file, blob);
        } catch (IOException e) {
            throw SourceException.transientFailure(fileWhat + ": cannot link it into " + local.getParent() + ": " + e.getMessage(), e);
        }
    }

    void rememberRef(HubRepoType type, String repo, String revision, String commit) throws SourceException {
        try {
            cache.writeRef(cache.repoDir(type, repo), revision, commit);
        } catch (IOException e) {
            throw SourceException.transientFailure("cannot write the cache's ref for " + repo + "@" + revision + ": " + e.getMessage(), e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        return Arrays.stream(path.split("/")).map(HubClient::encode).collect(Collectors.joining("/"));
    }
}
