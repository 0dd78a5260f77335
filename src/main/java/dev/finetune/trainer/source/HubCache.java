package dev.finetune.trainer.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The huggingface_hub cache layout, so that the Python tools read what we wrote and the other way round:
 * <pre>
 * cacheDir/models--ORG--NAME/
 *   blobs/&lt;etag&gt;                          the bytes, named by sha256 (LFS) or git blob id
 *   snapshots/&lt;commit&gt;/&lt;file&gt;  -&gt; ../../blobs/&lt;etag&gt;
 *   refs/&lt;revision&gt;                      the commit a branch or tag pointed at when last asked
 * </pre>
 */
final class HubCache {
    private final Path cacheDir;

    HubCache(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    Path cacheDir() {
        return cacheDir;
    }

    Path repoDir(HubRepoType type, String repoId) {
        return cacheDir.resolve(type.cachePrefix() + "--" + repoId.replace("/", "--"));
    }

    Path blob(Path repoDir, String etag) {
        return repoDir.resolve("blobs").resolve(etag);
    }

    Path snapshot(Path repoDir, String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    Optional<String> readRef(Path repoDir, String revision) {
        Path ref = repoDir.resolve("refs").resolve(revision);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void writeRef(Path repoDir, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = repoDir.resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        Files.writeString(tmp, commit, StandardCharsets.UTF_8);
        Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Make {@code snapshots/<commit>/<file>} point at the blob (a relative symlink; a copy where links fail). */
    Path link(Path repoDir, String commit, String file, Path blob) throws IOException {
        Path link = snapshot(repoDir, commit).resolve(file);
        Files.createDirectories(link.getParent());
        if (Files.exists(link)) {
            return link;
        }
        Path tmp = link.resolveSibling(link.getFileName() + ".link-" + UUID.randomUUID());
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, link.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING); // a file system without symlinks
        }
        try {
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp); // another job linked it first: same commit, same bytes
        }
        return link;
    }
}
