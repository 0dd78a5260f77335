package dev.finetune.trainer.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one remote file at a cache path exactly once: under a file lock (jobs sharing a volume), through
 * {@code <target>.incomplete} (resumed after a kill), checked for size and sha256 where known, then moved into
 * place atomically, so a file at the target path is always complete.
 */
final class VerifiedDownload {
    private static final Logger LOG = LoggerFactory.getLogger(VerifiedDownload.class);
    /** FileChannel locks are per process; threads of one JVM also wait on a monitor per target. */
    private static final ConcurrentHashMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final int VERIFY_ATTEMPTS = 2;

    private final HttpFetcher http;

    VerifiedDownload(HttpFetcher http) {
        this.http = http;
    }

    /**
     * @param expectedSize bytes, or -1 to take the server's Content-Length
     * @param sha256       lower-case hex, or null where no checksum is known
     */
    Path fetch(URI url, Path target, long expectedSize, String sha256, String name, String what) throws SourceException {
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path absolute = target.toAbsolutePath().normalize();
        synchronized (JVM_LOCKS.computeIfAbsent(absolute, k -> new Object())) {
            try {
                Files.createDirectories(absolute.getParent());
                Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    if (Files.isRegularFile(absolute)) {
                        LOG.info("{} was downloaded by another job meanwhile", name);
                        return target;
                    }
                    downloadAndVerify(url, absolute, expectedSize, sha256, name, what);
                    return target;
                }
            } catch (IOException e) {
                throw SourceException.transientFailure(what + ": cannot write the cache at " + absolute.getParent() + ": " + e.getMessage(), e);
            }
        }
    }

    private void downloadAndVerify(URI url, Path target, long expectedSize, String sha256, String name, String what)
            throws SourceException, IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".incomplete");
        for (int attempt = 1; ; attempt++) {
            long total = http.download(url, partial, expectedSize, name, what);
            String problem = check(partial, expectedSize >= 0 ? expectedSize : total, sha256);
            if (problem == null) {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return;
            }
            Files.deleteIfExists(partial);
            if (attempt == VERIFY_ATTEMPTS) {
                throw new SourceException(what + ": downloaded file failed verification twice: " + problem, SourceException.TRANSIENT);
            }
            LOG.warn("{}: {}; downloading it again", name, problem);
        }
    }

    /** Null when the file is as expected, else what is wrong with it. */
    private static String check(Path file, long expectedSize, String sha256) throws IOException {
        long size = Files.size(file);
        if (expectedSize >= 0 && size != expectedSize) {
            return "size " + size + " bytes, expected " + expectedSize;
        }
        if (sha256 != null) {
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(sha256)) {
                return "sha256 " + actual + ", expected " + sha256;
            }
        }
        return null;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
