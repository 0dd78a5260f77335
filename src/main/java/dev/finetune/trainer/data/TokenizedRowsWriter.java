package dev.finetune.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Appends tokenised rows to the flat files of a {@link TokenizedRows} folder, one row at a time, so that a
 * dataset of any size is written with a fixed amount of heap. {@link #finish} writes {@code meta.json} last,
 * with the counts and a CRC-32C of each file that {@link TokenizedRows#open} checks.
 */
final class TokenizedRowsWriter implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path folder;
    private final int idBytes;
    private final Appender ids;
    private final Appender types;
    private final Appender masks;
    private final Appender offsets;
    private final Appender labels;
    private final Appender targets;
    private final Appender tokenLabels;
    private int targetWidth = -1; // set by the first row
    private Boolean hasTokenLabels; // set by the first row
    private long rows;
    private long tokens;

    /** @param idBytes 2 (unsigned 16-bit ids, for a vocabulary of up to 65,536) or 4 */
    TokenizedRowsWriter(Path folder, int idBytes) throws IOException {
        if (idBytes != 2 && idBytes != 4) {
            throw new IllegalArgumentException("idBytes must be 2 or 4, got " + idBytes);
        }
        this.folder = folder;
        this.idBytes = idBytes;
        this.ids = new Appender(folder.resolve(TokenizedRows.IDS));
        this.types = new Appender(folder.resolve(TokenizedRows.TYPES));
        this.masks = new Appender(folder.resolve(TokenizedRows.MASKS));
        this.offsets = new Appender(folder.resolve(TokenizedRows.OFFSETS));
        this.labels = new Appender(folder.resolve(TokenizedRows.LABELS));
        this.targets = new Appender(folder.resolve(TokenizedRows.TARGETS));
        this.tokenLabels = new Appender(folder.resolve(TokenizedRows.TOKEN_LABELS));
        offsets.putLong(0);
    }

    void append(EncodedExample row) throws IOException {
        int[] inputIds = row.inputIds();
        int[] typeIds = row.tokenTypeIds();
        for (int t = 0; t < inputIds.length; t++) {
            int id = inputIds[t];
            if (id < 0 || (idBytes == 2 && id > 0xFFFF)) {
                throw new IllegalStateException("token id " + id + " does not fit in " + idBytes + " bytes");
            }
            if (idBytes == 2) {
                ids.putShort((short) id);
            } else {
                ids.putInt(id);
            }
            if (typeIds[t] < 0 || typeIds[t] > Byte.MAX_VALUE) {
                throw new IllegalStateException("token type id " + typeIds[t] + " does not fit in a byte");
            }
            types.putByte((byte) typeIds[t]);
            masks.putByte((byte) row.attends(t));
        }
        tokens += inputIds.length;
        offsets.putLong(tokens);
        labels.putInt(row.label());
        int width = row.targets() == null ? 0 : row.targets().length;
        if (targetWidth < 0) {
            targetWidth = width;
        } else if (width != targetWidth) {
            throw new IllegalStateException("a row with " + width + " targets after rows with " + targetWidth);
        }
        if (row.targets() != null) {
            for (float target : row.targets()) {
                targets.putInt(Float.floatToRawIntBits(target));
            }
        }
        if (hasTokenLabels == null) {
            hasTokenLabels = row.tokenLabels() != null;
        } else if (hasTokenLabels != (row.tokenLabels() != null)) {
            throw new IllegalStateException("a row " + (hasTokenLabels ? "without" : "with") + " token labels after rows "
                    + (hasTokenLabels ? "with" : "without"));
        }
        if (row.tokenLabels() != null) {
            for (int label : row.tokenLabels()) {
                tokenLabels.putInt(label);
            }
        }
        rows++;
    }

    long rows() {
        return rows;
    }

    /** Flushes the files and writes {@code meta.json}; {@code key} records what the rows were made from. */
    void finish(int padTokenId, Map<String, String> key) throws IOException {
        Map<String, Long> crc = new LinkedHashMap<>();
        for (Appender a : new Appender[] {ids, types, masks, offsets, labels, targets, tokenLabels}) {
            crc.put(a.file.getFileName().toString(), a.finish());
        }
        TokenizedRows.Meta meta = new TokenizedRows.Meta(TokenizedRows.FORMAT_VERSION, rows, tokens, idBytes,
                padTokenId, Math.max(0, targetWidth), Boolean.TRUE.equals(hasTokenLabels), crc, key);
        JSON.writeValue(folder.resolve(TokenizedRows.META).toFile(), meta);
    }

    @Override
    public void close() throws IOException {
        for (Appender a : new Appender[] {ids, types, masks, offsets, labels, targets, tokenLabels}) {
            a.channel.close();
        }
    }

    /** A little-endian file written through one buffer, with a running CRC-32C of what was written. */
    private static final class Appender {
        final Path file;
        final FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();

        Appender(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        void putByte(byte b) throws IOException {
            room(1).put(b);
        }

        void putShort(short s) throws IOException {
            room(2).putShort(s);
        }

        void putInt(int i) throws IOException {
            room(4).putInt(i);
        }

        void putLong(long l) throws IOException {
            room(8).putLong(l);
        }

        private ByteBuffer room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
            return buffer;
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        long finish() throws IOException {
            flush();
            return crc.getValue();
        }
    }
}
