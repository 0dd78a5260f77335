package dev.finetune.trainer.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.finetune.api.ResolvedSource;
import dev.finetune.api.ResolvedSources;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <output>/sources.json}: the commit each Hub source resolved to at the job's first start, beside the
 * checkpoints it trained. A retry or a resume reads the same commits, so a branch that moves on the Hub between two
 * starts can neither fail a resume nor mix two versions of the data in one run. Written atomically (temporary file,
 * fsync, rename) each time a source is pinned.
 */
public final class SourcePins {
    private static final Logger LOG = LoggerFactory.getLogger(SourcePins.class);
    public static final String FILE_NAME = "sources.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    enum Kind { MODEL, DATASET }

    private final Path file;
    private final ResolvedSources sources;

    private SourcePins(Path file, ResolvedSources sources) {
        this.file = file;
        this.sources = sources;
    }

    /** No file: what a resolver outside a training run (a benchmark, a test) pins is kept in memory only. */
    public static SourcePins inMemory() {
        return new SourcePins(null, new ResolvedSources());
    }

    /** The pins of the run in {@code output}, none before its first start. */
    public static SourcePins read(Path output) throws SourceException {
        Path file = output.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return new SourcePins(file, new ResolvedSources());
        }
        try {
            return new SourcePins(file, JSON.readValue(file.toFile(), ResolvedSources.class));
        } catch (IOException e) {
            throw SourceException.permanent(file + " is not the pinned sources this trainer writes (" + e.getMessage()
                    + "); delete it to resolve spec.model and spec.dataset anew");
        }
    }

    /** What is pinned, as the status shows it (a copy). */
    public ResolvedSources sources() {
        return JSON.convertValue(sources, ResolvedSources.class);
    }

    /** The pinned commit of {@code uri} at {@code revision}; empty before the first start or when the spec changed. */
    Optional<String> commit(Kind kind, String uri, String revision) {
        ResolvedSource pinned = get(kind);
        if (pinned == null) {
            return Optional.empty();
        }
        if (Objects.equals(pinned.uri, uri) && Objects.equals(pinned.revision, revision)) {
            return Optional.ofNullable(pinned.commit);
        }
        LOG.warn("spec.{} is now {}@{}, the run started from {}@{} (commit {}): resolving it anew", field(kind), uri, revision,
                pinned.uri, pinned.revision, pinned.commit);
        return Optional.empty();
    }

    /** Records a resolution; the file is rewritten when it changes. */
    void pin(Kind kind, String uri, String revision, String commit) throws SourceException {
        ResolvedSource pinned = get(kind);
        if (pinned != null && Objects.equals(pinned.uri, uri) && Objects.equals(pinned.revision, revision)
                && Objects.equals(pinned.commit, commit)) {
            return;
        }
        ResolvedSource entry = new ResolvedSource(uri, revision, commit);
        if (kind == Kind.MODEL) {
            sources.model = entry;
        } else {
            sources.dataset = entry;
        }
        LOG.info("Pinned spec.{} {}@{} to commit {}", field(kind), uri, revision, commit);
        if (file != null) {
            write();
        }
    }

    private ResolvedSource get(Kind kind) {
        return kind == Kind.MODEL ? sources.model : sources.dataset;
    }

    private static String field(Kind kind) {
        return kind == Kind.MODEL ? "model" : "dataset";
    }

    private void write() throws SourceException {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + FILE_NAME, ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(sources));
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw SourceException.transientFailure("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
