package dev.finetune.trainer.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A local imitation of the Hub on 127.0.0.1: the revision API, resolve URLs (small files answered directly with
 * their git id as ETag; LFS files redirected to a CDN path with X-Linked-Etag/X-Linked-Size), Range requests,
 * gated repos (401 without the right token), 404s, and faults on demand (a connection cut mid-file, 503s).
 */
final class FakeHub implements AutoCloseable {
    /** One request as the server saw it. */
    record Request(String method, String path, String range, String authorization) {
    }

    private record Repo(String commit, Map<String, byte[]> files, Set<String> lfs, String token) {
    }

    private final HttpServer server;
    /** The CDN runs on its own port: another origin, as on the real Hub, so the token must not reach it. */
    private final HttpServer cdnServer;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdn = new ConcurrentHashMap<>();
    private final Map<String, byte[]> plain = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Blob sha256 -> the number of its next downloads to cut after half of the bytes. */
    final Map<String, AtomicInteger> cutsLeft = new ConcurrentHashMap<>();
    /** Blob sha256 -> the number of its next downloads that stall for 3 s after half of the bytes. */
    final Map<String, AtomicInteger> stallsLeft = new ConcurrentHashMap<>();
    /** Bytes sent in place of a blob's real content (a corrupt CDN), by sha256. */
    final Map<String, byte[]> corrupt = new ConcurrentHashMap<>();
    final AtomicInteger unavailableLeft = new AtomicInteger();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-hub");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        cdnServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdnServer.setExecutor(server.getExecutor());
        cdnServer.createContext("/", this::handle);
        cdnServer.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * A repo ("models/ORG/NAME" or "datasets/ORG/NAME") at {@code commit}; files named in {@code lfs} go through the CDN.
     * The revision API answers for {@code revision} (a branch such as main or refs/convert/parquet) and for the commit.
     * Adding the same revision again moves the branch to the new commit, as a push does, while the commits it pointed at
     * before stay served by their sha, as on the Hub.
     */
    void addRepo(String typeAndId, String revision, String commit, Map<String, byte[]> files, Set<String> lfs, String token) {
        Repo repo = new Repo(commit, new LinkedHashMap<>(files), lfs, token);
        repos.put(typeAndId + "@" + revision, repo);
        repos.put(typeAndId + "@" + commit, repo);
        for (String name : lfs) {
            cdn.put(sha256(files.get(name)), files.get(name));
        }
    }

    /** A plain file, served at {@code path} with Range support and no ETag. */
    void addPlainFile(String path, byte[] content) {
        plain.put(path, content);
    }

    List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method.equals(method) && r.path.startsWith(pathPrefix)).collect(Collectors.toList());
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitId(byte[] content) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1.digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(new Request(ex.getRequestMethod(), URLDecoder.decode(path, StandardCharsets.UTF_8),
                ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
        try (ex) {
            if (unavailableLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(ex, 503, new byte[0]);
            } else if (path.startsWith("/api/")) {
                revisionApi(ex, path);
            } else if (path.startsWith("/cdn/")) {
                String sha = path.substring("/cdn/".length());
                byte[] content = corrupt.getOrDefault(sha, cdn.get(sha));
                if (content == null) {
                    send(ex, 404, new byte[0]);
                } else {
                    boolean cut = cutsLeft.getOrDefault(sha, new AtomicInteger()).getAndDecrement() > 0;
                    boolean stall = stallsLeft.getOrDefault(sha, new AtomicInteger()).getAndDecrement() > 0;
                    serveBytes(ex, content, null, cut, stall);
                }
            } else if (path.contains("/resolve/")) {
                resolve(ex, path);
            } else if (plain.containsKey(path)) {
                serveBytes(ex, plain.get(path), null, false, false);
            } else {
                send(ex, 404, new byte[0]);
            }
        }
    }

    /** /api/{models|datasets}/REPO/revision/REV */
    private void revisionApi(HttpExchange ex, String rawPath) throws IOException {
        String rest = rawPath.substring("/api/".length());
        int at = rest.indexOf("/revision/");
        String typeAndId = rest.substring(0, at);
        String revision = URLDecoder.decode(rest.substring(at + "/revision/".length()), StandardCharsets.UTF_8);
        Repo repo = repos.get(typeAndId + "@" + revision);
        if (repo == null) {
            ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
            send(ex, 404, "{\"error\":\"Repository not found\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!authorized(ex, repo)) {
            return;
        }
        String siblings = repo.files.keySet().stream().map(f -> "{\"rfilename\":\"" + f + "\"}").collect(Collectors.joining(","));
        String json = "{\"id\":\"" + typeAndId + "\",\"sha\":\"" + repo.commit + "\",\"siblings\":[" + siblings + "]}";
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, json.getBytes(StandardCharsets.UTF_8));
    }

    /** /ORG/NAME/resolve/COMMIT/FILE (models) or /datasets/ORG/NAME/resolve/COMMIT/FILE */
    private void resolve(HttpExchange ex, String rawPath) throws IOException {
        String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8).substring(1);
        int at = path.indexOf("/resolve/");
        String id = path.substring(0, at);
        String typeAndId = id.startsWith("datasets/") ? id : "models/" + id;
        String rest = path.substring(at + "/resolve/".length());
        String commit = rest.substring(0, rest.indexOf('/'));
        String file = rest.substring(commit.length() + 1);
        Repo repo = repos.get(typeAndId + "@" + commit);
        if (repo == null || !repo.files.containsKey(file)) {
            ex.getResponseHeaders().add("X-Error-Code", repo == null ? "RevisionNotFound" : "EntryNotFound");
            send(ex, 404, new byte[0]);
            return;
        }
        if (!authorized(ex, repo)) {
            return;
        }
        byte[] content = repo.files.get(file);
        ex.getResponseHeaders().add("X-Repo-Commit", repo.commit);
        if (repo.lfs.contains(file)) {
            String sha = sha256(content);
            ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdnServer.getAddress().getPort() + "/cdn/" + sha);
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().add("X-Linked-Size", Long.toString(content.length));
            ex.getResponseHeaders().add("ETag", "W/\"redirect-etag\"");
            send(ex, 302, new byte[0]);
        } else {
            serveBytes(ex, content, gitId(content), false, false);
        }
    }

    private boolean authorized(HttpExchange ex, Repo repo) throws IOException {
        if (repo.token == null || ("Bearer " + repo.token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            return true;
        }
        ex.getResponseHeaders().add("X-Error-Code", "GatedRepo");
        ex.getResponseHeaders().add("X-Error-Message", "Access to this repo is restricted.");
        send(ex, 401, new byte[0]);
        return false;
    }

    private static void serveBytes(HttpExchange ex, byte[] content, String etag, boolean cut, boolean stall) throws IOException {
        if (etag != null) {
            ex.getResponseHeaders().add("ETag", "\"" + etag + "\"");
        }
        int start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            if (start >= content.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                send(ex, 416, new byte[0]);
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        }
        int status = range != null ? 206 : 200;
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(content.length - start));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, content.length - start);
        OutputStream out = ex.getResponseBody();
        if (stall) {
            out.write(content, start, (content.length - start) / 2);
            out.flush();
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("fake hub: stalled on purpose");
        }
        if (cut) {
            out.write(content, start, (content.length - start) / 2);
            out.flush();
            throw new IOException("fake hub: connection cut on purpose"); // the server drops the connection
        }
        out.write(content, start, content.length - start);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if ("HEAD".equals(ex.getRequestMethod()) || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        cdnServer.stop(0);
    }

    static Map<String, byte[]> files(Object... nameThenContent) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object content = nameThenContent[i + 1];
            files.put((String) nameThenContent[i], content instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) content);
        }
        return files;
    }

    static List<String> names(List<Request> requests) {
        List<String> names = new ArrayList<>();
        requests.forEach(r -> names.add(r.method() + " " + r.path()));
        return names;
    }
}
