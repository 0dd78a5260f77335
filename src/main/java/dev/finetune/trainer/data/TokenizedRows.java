package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Map;
import java.util.RandomAccess;
import java.util.zip.CRC32C;

/**
 * A tokenised split kept in flat little-endian files, memory-mapped and read by row index, so that the heap
 * holds none of the rows (the operating system pages them in and out):
 * <ul>
 * <li>{@code input_ids.bin}: the ids of all rows, back to back (uint16 when the vocabulary fits, else int32);
 * <li>{@code token_type_ids.bin}: one int8 per token;
 * <li>{@code attention_mask.bin}: one int8 per token (0 only where a pre-tokenised row's own mask says so);
 * <li>{@code offsets.bin}: int64, rows + 1 of them: row i is tokens [offsets[i], offsets[i+1]);
 * <li>{@code labels.bin}: int32 per row;
 * <li>{@code targets.bin}: float32, {@code targetWidth} per row (multi-label and regression rows; else empty);
 * <li>{@code token_labels.bin}: int32 per token (TokenClassification rows, {@code tokenLabels} true; else empty);
 * <li>{@code meta.json}: counts, id width, pad id, CRC-32C of each file, and what the rows were made from.
 * </ul>
 * An immutable list: {@link #get} decodes one row into a short-lived {@link EncodedExample}.
 */
public final class TokenizedRows extends AbstractList<EncodedExample> implements RandomAccess {
    static final int FORMAT_VERSION = 4;
    static final String IDS = "input_ids.bin";
    static final String TYPES = "token_type_ids.bin";
    static final String MASKS = "attention_mask.bin";
    static final String OFFSETS = "offsets.bin";
    static final String LABELS = "labels.bin";
    static final String TARGETS = "targets.bin";
    static final String TOKEN_LABELS = "token_labels.bin";
    static final String META = "meta.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The contents of {@code meta.json}. */
    record Meta(int version, long rows, long tokens, int idBytes, int padTokenId, int targetWidth, boolean tokenLabels,
            Map<String, Long> crc32c, Map<String, String> key) {}

    private final Path folder;
    private final Meta meta;
    private final MappedFile ids;
    private final MappedFile types;
    private final MappedFile masks;
    private final MappedFile offsets;
    private final MappedFile labels;
    private final MappedFile targets;
    private final MappedFile tokenLabels;
    private final int rows;

    private TokenizedRows(Path folder, Meta meta, MappedFile ids, MappedFile types, MappedFile masks, MappedFile offsets,
            MappedFile labels, MappedFile targets, MappedFile tokenLabels) {
        this.folder = folder;
        this.meta = meta;
        this.ids = ids;
        this.types = types;
        this.masks = masks;
        this.offsets = offsets;
        this.labels = labels;
        this.targets = targets;
        this.tokenLabels = tokenLabels;
        this.rows = (int) meta.rows();
    }

    /**
     * Maps the folder's files after checking them against {@code meta.json} (sizes, checksums, offsets);
     * anything missing, short or altered is an {@link InvalidCacheException}.
     */
    static TokenizedRows open(Path folder) throws IOException {
        Meta meta;
        try {
            meta = JSON.readValue(folder.resolve(META).toFile(), Meta.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new InvalidCacheException("no " + META);
        } catch (IOException e) {
            throw new InvalidCacheException(META + " is unreadable: " + e.getMessage());
        }
        if (meta.version() != FORMAT_VERSION) {
            throw new InvalidCacheException("format version " + meta.version() + ", expected " + FORMAT_VERSION);
        }
        if (meta.rows() < 0 || meta.rows() > Integer.MAX_VALUE || meta.tokens() < 0 || meta.crc32c() == null
                || (meta.idBytes() != 2 && meta.idBytes() != 4) || meta.targetWidth() < 0) {
            throw new InvalidCacheException(META + " holds impossible values");
        }
        MappedFile ids = MappedFile.map(folder.resolve(IDS), meta.tokens() * meta.idBytes(), meta);
        MappedFile types = MappedFile.map(folder.resolve(TYPES), meta.tokens(), meta);
        MappedFile masks = MappedFile.map(folder.resolve(MASKS), meta.tokens(), meta);
        MappedFile offsets = MappedFile.map(folder.resolve(OFFSETS), (meta.rows() + 1) * Long.BYTES, meta);
        MappedFile labels = MappedFile.map(folder.resolve(LABELS), meta.rows() * Integer.BYTES, meta);
        MappedFile targets = MappedFile.map(folder.resolve(TARGETS), meta.rows() * meta.targetWidth() * Float.BYTES, meta);
        MappedFile tokenLabels = MappedFile.map(folder.resolve(TOKEN_LABELS),
                meta.tokenLabels() ? meta.tokens() * Integer.BYTES : 0, meta);
        long previous = 0;
        for (long i = 0; i <= meta.rows(); i++) {
            long offset = offsets.getLong(i * Long.BYTES);
            if ((i == 0 && offset != 0) || offset < previous || offset > meta.tokens()) {
                throw new InvalidCacheException(OFFSETS + ": offset " + i + " is " + offset);
            }
            previous = offset;
        }
        if (previous != meta.tokens()) {
            throw new InvalidCacheException(OFFSETS + " ends at " + previous + ", not " + meta.tokens());
        }
        return new TokenizedRows(folder, meta, ids, types, masks, offsets, labels, targets, tokenLabels);
    }

    public Path folder() {
        return folder;
    }

    public int padTokenId() {
        return meta.padTokenId();
    }

    /** Tokens in all rows together. */
    public long tokenCount() {
        return meta.tokens();
    }

    @Override
    public int size() {
        return rows;
    }

    @Override
    public EncodedExample get(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
        long from = offsets.getLong((long) row * Long.BYTES);
        int length = (int) (offsets.getLong((long) (row + 1) * Long.BYTES) - from);
        int[] inputIds = new int[length];
        int[] typeIds = new int[length];
        int[] mask = new int[length];
        boolean allAttended = true;
        for (int t = 0; t < length; t++) {
            long token = from + t;
            inputIds[t] = meta.idBytes() == 2 ? ids.getShort(token * 2) & 0xFFFF : ids.getInt(token * 4);
            typeIds[t] = types.getByte(token);
            mask[t] = masks.getByte(token);
            allAttended &= mask[t] == 1;
        }
        float[] rowTargets = null;
        int width = meta.targetWidth();
        if (width > 0) {
            rowTargets = new float[width];
            for (int k = 0; k < width; k++) {
                rowTargets[k] = Float.intBitsToFloat(targets.getInt(((long) row * width + k) * Float.BYTES));
            }
        }
        int[] rowTokenLabels = null;
        if (meta.tokenLabels()) {
            rowTokenLabels = new int[length];
            for (int t = 0; t < length; t++) {
                rowTokenLabels[t] = tokenLabels.getInt((from + t) * Integer.BYTES);
            }
        }
        return new EncodedExample(inputIds, typeIds, labels.getInt((long) row * Integer.BYTES), rowTargets,
                allAttended ? null : mask, rowTokenLabels);
    }

    /** A cache folder that cannot be used: it is ignored and written again. */
    static final class InvalidCacheException extends IOException {
        InvalidCacheException(String message) {
            super(message);
        }
    }

    /**
     * A read-only mapping of a whole file, in segments of 1 GiB (one {@link MappedByteBuffer} holds at most
     * 2 GiB); elements of 1, 2, 4 or 8 bytes never straddle two segments.
     */
    private static final class MappedFile {
        private static final int SHIFT = 30;
        private static final long MASK = (1L << SHIFT) - 1;
        private final MappedByteBuffer[] segments;

        private MappedFile(MappedByteBuffer[] segments) {
            this.segments = segments;
        }

        static MappedFile map(Path file, long expectedSize, Meta meta) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new InvalidCacheException("no " + file.getFileName());
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size != expectedSize) {
                    throw new InvalidCacheException(file.getFileName() + " holds " + size + " bytes, expected " + expectedSize);
                }
                int count = (int) ((size + MASK) >>> SHIFT);
                MappedByteBuffer[] segments = new MappedByteBuffer[Math.max(1, count)];
                CRC32C crc = new CRC32C();
                for (int s = 0; s < segments.length; s++) {
                    long start = (long) s << SHIFT;
                    long length = Math.min(1L << SHIFT, size - start);
                    segments[s] = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.max(0, length));
                    segments[s].order(ByteOrder.LITTLE_ENDIAN);
                    crc.update(segments[s].duplicate());
                }
                Long expectedCrc = meta.crc32c().get(file.getFileName().toString());
                if (expectedCrc == null || expectedCrc != crc.getValue()) {
                    throw new InvalidCacheException(file.getFileName() + ": checksum mismatch");
                }
                return new MappedFile(segments);
            }
        }

        byte getByte(long position) {
            return segments[(int) (position >>> SHIFT)].get((int) (position & MASK));
        }

        short getShort(long position) {
            return segments[(int) (position >>> SHIFT)].getShort((int) (position & MASK));
        }

        int getInt(long position) {
            return segments[(int) (position >>> SHIFT)].getInt((int) (position & MASK));
        }

        long getLong(long position) {
            return segments[(int) (position >>> SHIFT)].getLong((int) (position & MASK));
        }
    }
}
