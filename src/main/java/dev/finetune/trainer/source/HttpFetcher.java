package dev.finetune.trainer.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP for the sources: Hub API calls, HEAD for file metadata, and resumable downloads, each with retries and
 * backoff for transient failures. The token goes only to the Hub endpoint's host (never to a CDN it redirects
 * to, nor to a plain https source), and never into a message.
 */
final class HttpFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFetcher.class);
    private static final int MAX_REDIRECTS = 10;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long LISTENER_INTERVAL_NANOS = 500_000_000L;
    /** Watches running downloads for stalls: HttpClient has no read timeout, and a stalled read would block forever. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final HttpClient client;
    private final URI endpoint;
    private final String token;
    private final RetryPolicy retry;
    private final DownloadListener listener;
    private final long logIntervalNanos;

    HttpFetcher(URI endpoint, String token, RetryPolicy retry, DownloadListener listener, Duration logInterval) {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER) // redirects are followed by hand: the token must not follow them off the Hub
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        this.endpoint = endpoint;
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.retry = retry;
        this.listener = listener;
        this.logIntervalNanos = logInterval.toNanos();
    }

    boolean hasToken() {
        return token != null;
    }

    /** GET a small text resource (a Hub API answer), following redirects. */
    String getText(URI url, String what) throws SourceException {
        return withRetries(what, () -> {
            HttpResponse<String> response = send(url, "GET", null, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), what, true);
            return response.body();
        });
    }

    /**
     * HEAD a Hub resolve URL. Redirects within the Hub (a renamed repo) are followed; a redirect elsewhere is
     * the CDN of an LFS file, whose id and size the Hub gives as X-Linked-Etag / X-Linked-Size.
     */
    RemoteFile head(URI url, String what) throws SourceException {
        return withRetries(what, () -> {
            URI current = url;
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpResponse<Void> response = send(current, "HEAD", null, HttpResponse.BodyHandlers.discarding(), what, false);
                HttpHeaders headers = response.headers();
                int status = response.statusCode();
                if (isRedirect(status)) {
                    URI location = location(current, headers, what);
                    Optional<String> linkedEtag = headers.firstValue("X-Linked-Etag");
                    if (linkedEtag.isPresent() || !sameHost(location, endpoint)) {
                        String etag = RemoteFile.normalizeEtag(linkedEtag.or(() -> headers.firstValue("ETag")).orElse(null));
                        long size = longHeader(headers, "X-Linked-Size").orElse(-1L);
                        return new RemoteFile(requireEtag(etag, what), size);
                    }
                    current = location;
                    continue;
                }
                String etag = RemoteFile.normalizeEtag(headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag")).orElse(null));
                long size = longHeader(headers, "X-Linked-Size").or(() -> longHeader(headers, "Content-Length")).orElse(-1L);
                return new RemoteFile(requireEtag(etag, what), size);
            }
            throw SourceException.permanent(what + ": more than " + MAX_REDIRECTS + " redirects");
        });
    }

    /**
     * Download {@code url} into {@code partial}, resuming from the bytes already there with a Range request.
     * Returns the total size the server reported, or -1. Transient failures are retried; each retry resumes.
     */
    long download(URI url, Path partial, long expectedSize, String name, String what) throws SourceException {
        return withRetries(what, () -> downloadOnce(url, partial, expectedSize, name, what));
    }

    private long downloadOnce(URI url, Path partial, long expectedSize, String name, String what) throws IOException, SourceException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (expectedSize >= 0 && have == expectedSize) {
            return expectedSize; // complete already: a kill came between the last byte and the rename
        }
        if (expectedSize >= 0 && have > expectedSize) {
            Files.delete(partial);
            have = 0;
        }
        String range = have > 0 ? "bytes=" + have + "-" : null;
        HttpResponse<InputStream> response;
        try {
            response = send(url, "GET", range, HttpResponse.BodyHandlers.ofInputStream(), what, true);
        } catch (RangeNotSatisfiableException e) {
            Files.deleteIfExists(partial); // the partial file is longer than the remote one: it changed; start over
            throw e;
        }
        try (InputStream body = response.body()) {
            long total;
            boolean append;
            if (response.statusCode() == 206) {
                long start = contentRangeStart(response.headers());
                if (start != have) {
                    throw new IOException("server answered range " + start + "- to a request for " + have + "-");
                }
                append = true;
                total = contentRangeTotal(response.headers()).orElse(expectedSize);
                LOG.info("Resuming {} at {} MB", name, String.format("%.1f", have / 1e6));
            } else {
                append = false; // the server ignored the range: start over
                have = 0;
                total = longHeader(response.headers(), "Content-Length").orElse(expectedSize);
            }
            if (expectedSize >= 0 && total >= 0 && total != expectedSize) {
                throw SourceException.permanent(what + ": server reports " + total + " bytes but the Hub said " + expectedSize);
            }
            copy(body, partial, append, have, total, name);
            return total;
        }
    }

    private void copy(InputStream body, Path partial, boolean append, long have, long total, String name) throws IOException {
        Files.createDirectories(partial.getParent());
        long start = System.nanoTime();
        long startBytes = have;
        long done = have;
        long lastListener = start;
        long lastLog = start;
        byte[] buffer = new byte[1 << 20];
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        AtomicLong lastByte = new AtomicLong(start);
        long stallNanos = retry.stallTimeout().toNanos();
        // Closing the body from the watchdog makes the blocked read throw, which the retry path resumes.
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastByte.get() > stallNanos) {
                LOG.warn("{}: no data for {} s; dropping the connection", name, String.format("%.1f", retry.stallTimeout().toMillis() / 1000.0));
                closeQuietly(body);
            }
        }, Math.max(1, stallNanos / 4), Math.max(1, stallNanos / 4), TimeUnit.NANOSECONDS);
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                done += n;
                long now = System.nanoTime();
                lastByte.set(now);
                if (now - lastListener >= LISTENER_INTERVAL_NANOS) {
                    lastListener = now;
                    DownloadProgress progress = progress(name, done, total, startBytes, start, now, false);
                    listener.onProgress(progress);
                    if (now - lastLog >= logIntervalNanos) {
                        lastLog = now;
                        LOG.info("Downloading {}", progress);
                    }
                }
            }
        } finally {
            watchdog.cancel(false);
        }
        if (total >= 0 && done < total) {
            throw new IOException("connection closed after " + done + " of " + total + " bytes");
        }
        long now = System.nanoTime();
        DownloadProgress progress = progress(name, done, total >= 0 ? total : done, startBytes, start, now, true);
        listener.onProgress(progress);
        LOG.info("Downloaded {} in {} s", progress, String.format("%.1f", (now - start) / 1e9));
    }

    private static DownloadProgress progress(String name, long done, long total, long startBytes, long start, long now, boolean finished) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        return new DownloadProgress(name, done, total, (done - startBytes) / seconds, finished);
    }

    /** One request; redirects followed by hand (for GET), statuses turned into permanent or transient failures. */
    private <T> HttpResponse<T> send(URI url, String method, String range, HttpResponse.BodyHandler<T> handler,
                                     String what, boolean followRedirects) throws IOException, SourceException {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "finetune-operator")
                    .header("Accept-Encoding", "identity") // sizes and ranges refer to the stored bytes
                    .timeout(REQUEST_TIMEOUT); // until the headers arrive; a body streams for as long as it takes
            if (range != null) {
                request.header("Range", range);
            }
            if (token != null && sameHost(current, endpoint)) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<T> response;
            try {
                response = client.send(request.build(), handler);
            } catch (ConnectException | HttpConnectTimeoutException e) {
                throw new UnreachableHostException(current.getHost(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int status = response.statusCode();
            if (isRedirect(status) && followRedirects) {
                discard(response);
                current = location(current, response.headers(), what);
                continue;
            }
            if (status < 400 || isRedirect(status)) {
                return response;
            }
            discard(response);
            throw failure(status, response.headers(), what);
        }
        throw SourceException.permanent(what + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private IOException failure(int status, HttpHeaders headers, String what) throws SourceException {
        String hubMessage = headers.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        if (status == 401 || status == 403) {
            String hint = token == null
                    ? "the repository is gated or private, or does not exist: accept its terms on the Hub and give a token"
                    + " (spec.model.tokenSecretRef, passed to the trainer as HF_TOKEN)"
                    : "the token (HF_TOKEN) was refused: check that it is valid and has access to this repository";
            throw SourceException.permanent(what + ": HTTP " + status + hubMessage + "; " + hint);
        }
        if (status == 404) {
            throw new NotFoundException(what + ": HTTP 404 not found" + hubMessage);
        }
        if (status == 416) {
            return new RangeNotSatisfiableException();
        }
        if (status == 408 || status == 429 || status >= 500) {
            long retryAfter = longHeader(headers, "Retry-After").orElse(-1L);
            return new TransientStatusException(status, retryAfter);
        }
        throw SourceException.permanent(what + ": HTTP " + status + hubMessage);
    }

    private <T> T withRetries(String what, Call<T> call) throws SourceException {
        IOException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                last = e;
                if (attempt == retry.maxAttempts()) {
                    break;
                }
                Duration delay = retry.delayAfter(attempt);
                if (e instanceof TransientStatusException t && t.retryAfterSeconds > 0) {
                    delay = Duration.ofSeconds(Math.min(t.retryAfterSeconds, retry.maxDelay().toSeconds()));
                }
                LOG.warn("{} failed ({}); retry {}/{} in {} ms", what, describe(e), attempt, retry.maxAttempts() - 1, delay.toMillis());
                sleep(delay);
            }
        }
        throw SourceException.transientFailure(what + " failed after " + retry.maxAttempts() + " attempts: " + describe(last), last);
    }

    private static String describe(IOException e) {
        if (e instanceof TransientStatusException t) {
            return "HTTP " + t.status;
        }
        if (e instanceof UnreachableHostException u) {
            return u.getMessage();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void sleep(Duration delay) throws SourceException {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SourceException.transientFailure("interrupted while waiting to retry", e);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI location(URI base, HttpHeaders headers, String what) throws SourceException {
        String location = headers.firstValue("Location")
                .orElseThrow(() -> SourceException.permanent(what + ": redirect without a Location"));
        return base.resolve(location);
    }

    static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b) && Objects.equals(a.getScheme(), b.getScheme());
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static Optional<Long> longHeader(HttpHeaders headers, String name) {
        try {
            return headers.firstValue(name).map(String::trim).map(Long::parseLong);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** "bytes 100-199/200" -> 100. */
    private static long contentRangeStart(HttpHeaders headers) throws IOException {
        String value = headers.firstValue("Content-Range").orElseThrow(() -> new IOException("206 without Content-Range"));
        try {
            String spec = value.trim().substring("bytes ".length());
            return Long.parseLong(spec.substring(0, spec.indexOf('-')));
        } catch (RuntimeException e) {
            throw new IOException("bad Content-Range '" + value + "'");
        }
    }

    private static Optional<Long> contentRangeTotal(HttpHeaders headers) {
        String value = headers.firstValue("Content-Range").orElse("");
        int slash = value.lastIndexOf('/');
        if (slash < 0 || value.endsWith("*")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is dropped; nothing else to do
        }
    }

    private static String requireEtag(String etag, String what) throws SourceException {
        if (etag == null) {
            throw SourceException.permanent(what + ": the server sent no ETag, so the file cannot be cached by content;"
                    + " is the endpoint a Hugging Face Hub?");
        }
        if (etag.contains("/") || etag.contains("\\") || etag.startsWith(".")) {
            throw SourceException.permanent(what + ": unusable ETag '" + etag + "'");
        }
        return etag;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException, SourceException;
    }

    /** HTTP 416 to a resume request: retried from byte 0. */
    private static final class RangeNotSatisfiableException extends IOException {
        RangeNotSatisfiableException() {
            super("HTTP 416 range not satisfiable");
        }
    }

    /** A status worth retrying (408, 429, 5xx), carried as an IOException so that it joins the retry path. */
    private static final class TransientStatusException extends IOException {
        final int status;
        final long retryAfterSeconds;

        TransientStatusException(int status, long retryAfterSeconds) {
            super("HTTP " + status);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /** No connection to {@code host} (refused, unresolvable, timed out): the message names the host, as the user needs to. */
    static final class UnreachableHostException extends IOException {
        UnreachableHostException(String host, IOException cause) {
            super("cannot reach " + host + ": " + why(cause), cause);
        }

        /** HttpClient's ConnectException often has no message; its cause says what happened. */
        private static String why(IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                    return "unknown host";
                }
                if (t.getMessage() != null) {
                    return t.getMessage();
                }
            }
            // What a message-less ConnectException means: nothing listens there (or a firewall says so)
            return e instanceof HttpConnectTimeoutException ? "connect timed out"
                    : e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
        }
    }
}
