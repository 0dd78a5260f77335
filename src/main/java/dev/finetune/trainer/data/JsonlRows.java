package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads JSON lines (one object per line; blank lines are skipped), keeping the columns asked for. */
final class JsonlRows {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlRows() {}

    static List<RawRow> read(Path file, Columns columns) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        long lineNo = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = nextLine(reader, file, lineNo + 1)) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a UTF-8 byte order mark, as some editors write
                }
                if (!line.isBlank()) {
                    rows.add(new RawRow(lineNo, cells(parse(line, file, lineNo), columns, file, lineNo)));
                }
            }
        }
        return rows;
    }

    private static String nextLine(BufferedReader reader, Path file, long lineNo) throws IOException {
        try {
            return reader.readLine();
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
            if (value.isContainerNode()) {
                throw DataException.atField(file, lineNo, column, "expected a text or a number, found " + kind(value));
            }
            cells.put(column, value.isNull() ? null : value.asText());
        }
        return cells;
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "an array" : node.isObject() ? "an object" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
