package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Reads JSON lines (one object per line; blank lines are skipped), keeping the columns asked for. */
final class JsonlRows {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlRows() {}

    static List<RawRow> read(Path file, Columns columns) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        forEach(file, columns, rows::add);
        return rows;
    }

    /** Hands each row to {@code sink} as it is read, so that a large file is never held in memory. */
    static void forEach(Path file, Columns columns, Consumer<RawRow> sink) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            long lineNo = 0;
            // Lines are split as bytes and decoded one by one, so an encoding error names its line.
            while (readLine(in, bytes)) {
                lineNo++;
                String line = decode(utf8, bytes, file, lineNo);
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a UTF-8 byte order mark, as some editors write
                }
                if (!line.isBlank()) {
                    sink.accept(new RawRow(lineNo, cells(parse(line, file, lineNo), columns, file, lineNo)));
                }
            }
        }
    }

    /** Reads up to and without the next '\n' into {@code line}; false at the end of the stream. */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        line.reset();
        int b = in.read();
        if (b < 0) {
            return false;
        }
        while (b >= 0 && b != '\n') {
            line.write(b);
            b = in.read();
        }
        return true;
    }

    private static String decode(CharsetDecoder utf8, ByteArrayOutputStream bytes, Path file, long lineNo) {
        try {
            return utf8.decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw DataException.atLine(file, lineNo, "not valid UTF-8 text");
        }
    }

    private static JsonNode parse(String line, Path file, long lineNo) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw DataException.atLine(file, lineNo, "malformed JSON"
                    + (column > 0 ? " at column " + column : "") + ": " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw DataException.atLine(file, lineNo, "expected a JSON object, found " + kind(node));
        }
        return node;
    }

    private static Map<String, String> cells(JsonNode object, Columns columns, Path file, long lineNo) {
        Map<String, String> cells = new LinkedHashMap<>();
        for (String column : columns.all()) {
            JsonNode value = object.get(column);
            if (value == null) {
                if (columns.isRequired(column)) {
                    throw DataException.atField(file, lineNo, column, "missing from this row");
                }
                continue;
            }
            if (value.isArray() && columns.isList(column)) {
                cells.put(column, value.toString()); // parsed by the task's mapper
                continue;
            }
            if (value.isContainerNode()) {
                throw DataException.atField(file, lineNo, column, "expected a text or a number, found " + kind(value));
            }
            cells.put(column, value.isNull() ? null : value.asText());
        }
        return cells;
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "an array" : node.isObject() ? "an object" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
