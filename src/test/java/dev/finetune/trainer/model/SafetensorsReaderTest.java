package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
    @TempDir
    Path dir;

    /** A file as the Python library writes one: F16 1.0 -2.0, BF16 1.0 0.5 -3.0, I64 7 -1. */
    private Path handWritten() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 + 6 + 16).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC000);
        data.putShort((short) 0x3F80).putShort((short) 0x3F00).putShort((short) 0xC040);
        data.putLong(7).putLong(-1);
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[4,10]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[10,26]}}";
        return write("hand.safetensors", header, data.array());
    }

    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.write(json);
        out.write(data);
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    @Test
    void readsHalfAndBfloatAsFloat32AndInt64AsIs() throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(handWritten());
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(Arrays.asList("half", "brain", "ids"), reader.names().stream().toList());
            NDArray half = reader.read("half", manager);
            assertEquals(DataType.FLOAT32, half.getDataType());
            assertArrayEquals(new float[] {1f, -2f}, half.toFloatArray());
            NDArray brain = reader.read("brain", manager);
            assertEquals(new Shape(1, 3), brain.getShape());
            assertArrayEquals(new float[] {1f, 0.5f, -3f}, brain.toFloatArray());
            assertArrayEquals(new long[] {7, -1}, reader.read("ids", manager).toLongArray());
        }
    }

    @Test
    void truncatedFileIsAnErrorNamingIt() throws IOException {
        Path file = handWritten();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated")
                && e.getMessage().contains("ids"), e.getMessage());
        Files.write(file, Arrays.copyOf(bytes, 5));
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void malformedHeaderIsAnErrorNamingTheFile() throws IOException {
        Path notJson = write("bad.safetensors", "{\"a\": [", new byte[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(notJson));
        assertTrue(e.getMessage().contains(notJson.toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());

        Path wrongSize = write("size.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(wrongSize));
        assertTrue(e.getMessage().contains("tensor w") && e.getMessage().contains("needs 12 bytes"), e.getMessage());

        Path badType = write("type.safetensors", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(badType));
        assertTrue(e.getMessage().contains(badType.toString()) && e.getMessage().contains("F8_E4M3"), e.getMessage());
    }
}
