package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length, a JSON header giving each tensor's
 * dtype, shape and data_offsets, then the raw data. Each tensor is memory-mapped and copied once, straight into
 * the tensor that the caller's manager owns (F16 and BF16 converted to F32 on the way).
 */
public final class SafetensorsReader implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The limit the Rust crate puts on a header, so that a corrupt length fails early. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;

    /** One entry of the header. {@code begin}/{@code end} are relative to the start of the data section. */
    public record TensorInfo(String dtype, Shape shape, long begin, long end) {}

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart,
            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates the header; a truncated or malformed file is an error naming it. */
    public static SafetensorsReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw malformed(file, "only " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw malformed(file, "header length " + headerLength + " is not plausible");
            }
            if (8 + headerLength > size) {
                throw malformed(file, "truncated: the header needs " + headerLength + " bytes but the file has "
                        + (size - 8) + " after the length");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String headerText = new String(headerBytes.array(), StandardCharsets.UTF_8);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, headerText, metadata);
            long dataSize = size - 8 - headerLength;
            for (Map.Entry<String, TensorInfo> e : tensors.entrySet()) {
                if (e.getValue().end() > dataSize) {
                    throw malformed(file, "truncated: tensor " + e.getKey() + " ends at data byte " + e.getValue().end()
                            + " but the data section has " + dataSize + " bytes");
                }
            }
            return new SafetensorsReader(file, channel, 8 + headerLength, tensors, metadata);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, String text, Map<String, String> metadata) {
        JsonNode header;
        try {
            header = JSON.readTree(text.strip());
        } catch (JsonProcessingException e) {
            throw malformed(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw malformed(file, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode entry = e.getValue();
            if (name.equals("__metadata__")) {
                entry.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode dtype = entry.get("dtype");
            JsonNode shapeNode = entry.get("shape");
            JsonNode offsets = entry.get("data_offsets");
            if (dtype == null || !dtype.isTextual() || shapeNode == null || !shapeNode.isArray()
                    || offsets == null || !offsets.isArray() || offsets.size() != 2) {
                throw malformed(file, "tensor " + name + " needs dtype, shape and data_offsets [begin, end]: " + entry);
            }
            long[] dims = new long[shapeNode.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shapeNode.get(i).asLong(-1);
                if (dims[i] < 0) {
                    throw malformed(file, "tensor " + name + " has a bad shape " + shapeNode);
                }
            }
            Shape shape = new Shape(dims);
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            long expected = shape.size() * bytesPerElement(file, name, dtype.textValue());
            if (begin < 0 || end < begin || end - begin != expected) {
                throw malformed(file, "tensor " + name + " has data_offsets " + offsets + " but a " + dtype.textValue()
                        + " tensor of shape " + shapeNode + " needs " + expected + " bytes");
            }
            tensors.put(name, new TensorInfo(dtype.textValue(), shape, begin, end));
        }
        return tensors;
    }

    private static int bytesPerElement(Path file, String name, String dtype) {
        switch (dtype) {
            case "F32":
                return 4;
            case "F16":
            case "BF16":
                return 2;
            case "I64":
                return 8;
            default:
                throw new IllegalArgumentException(file + ": tensor " + name + " has dtype " + dtype
                        + ", which is not supported (F32, F16, BF16, I64 are)");
        }
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(file + " has no tensor " + name);
        }
        return info;
    }

    /** The {@code __metadata__} entries, e.g. {@code format=pt}. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public Path file() {
        return file;
    }

    /**
     * Reads one tensor into an array owned by {@code manager}: float types as F32, I64 as INT64. The file is mapped,
     * not read into the heap, and the array does not share memory with the mapping.
     */
    public NDArray read(String name, NDManager manager) throws IOException {
        TensorInfo info = info(name);
        DataType stored = storedType(info.dtype());
        DataType wanted = stored == DataType.INT64 ? DataType.INT64 : DataType.FLOAT32;
        long length = info.end() - info.begin();
        if (length == 0) {
            return manager.zeros(info.shape(), wanted);
        }
        if (length > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor " + name + " is " + length + " bytes; tensors over 2 GiB are not supported");
        }
        ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), length)
                .order(ByteOrder.LITTLE_ENDIAN);
        if (stored == DataType.BFLOAT16) {
            return bfloat16ToFloat32(mapped, info.shape(), manager, name);
        }
        try (NDManager scope = manager.newSubManager()) {
            // The view shares the mapped pages; the copy (or the conversion to F32) is the only copy made.
            NDArray view = scope.create(mapped, info.shape(), stored);
            NDArray copy = stored == wanted ? view.duplicate() : view.toType(wanted, true);
            copy.attach(manager);
            copy.setName(name);
            return copy;
        }
    }

    /**
     * DJL 0.36's PyTorch engine aborts the JVM when it wraps a BF16 buffer, so BF16 is widened here: a float32 is the
     * bfloat16's bits followed by 16 zero bits. The direct buffer becomes the tensor's memory, so this is one copy too.
     */
    private static NDArray bfloat16ToFloat32(ByteBuffer mapped, Shape shape, NDManager manager, String name) {
        int count = Math.toIntExact(shape.size());
        ShortBuffer in = mapped.asShortBuffer();
        ByteBuffer out = manager.allocateDirect(count * 4);
        FloatBuffer floats = out.asFloatBuffer();
        for (int i = 0; i < count; i++) {
            floats.put(i, Float.intBitsToFloat((in.get(i) & 0xFFFF) << 16));
        }
        NDArray array = manager.create(out, shape, DataType.FLOAT32);
        array.setName(name);
        return array;
    }

    /** Reads every tensor, in header order. */
    public LinkedHashMap<String, NDArray> readAll(NDManager manager) throws IOException {
        LinkedHashMap<String, NDArray> all = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            all.put(name, read(name, manager));
        }
        return all;
    }

    private static DataType storedType(String dtype) {
        switch (dtype) {
            case "F32":
                return DataType.FLOAT32;
            case "F16":
                return DataType.FLOAT16;
            case "BF16":
                return DataType.BFLOAT16;
            case "I64":
                return DataType.INT64;
            default:
                throw new AssertionError(dtype); // rejected when the header was parsed
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static IllegalArgumentException malformed(Path file, String message) {
        return new IllegalArgumentException("malformed safetensors file " + file + ": " + message);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
