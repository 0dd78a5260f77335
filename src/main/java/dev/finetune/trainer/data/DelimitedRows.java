package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads CSV (RFC 4180 quoting) and TSV (tab-separated, no quoting, as GLUE's .tsv files and Python's
 * {@code csv.QUOTE_NONE} read them) with a header row naming the columns. Empty lines are skipped.
 */
final class DelimitedRows {
    private static final CsvMapper CSV = new CsvMapper();

    private DelimitedRows() {}

    static List<RawRow> read(Path file, DataFormat format, Columns columns) throws IOException {
        CsvSchema schema = format == DataFormat.TSV
                ? CsvSchema.emptySchema().withHeader().withColumnSeparator('\t').withoutQuoteChar().withoutEscapeChar()
                : CsvSchema.emptySchema().withHeader();
        List<RawRow> rows = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
                CsvParser parser = (CsvParser) CSV.getFactory().createParser(in)) {
            parser.setSchema(schema);
            parser.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
            boolean headerChecked = false;
            JsonToken token;
            while ((token = next(parser, file, format)) != null) {
                if (token != JsonToken.START_OBJECT) {
                    continue;
                }
                if (!headerChecked) {
                    checkHeader(parser.getSchema(), columns, file);
                    headerChecked = true;
                }
                long line = parser.currentTokenLocation().getLineNr();
                rows.add(new RawRow(line, readRow(parser, file, format, line, columns)));
            }
            if (!headerChecked && parser.getSchema().size() > 0) {
                checkHeader(parser.getSchema(), columns, file); // a header but no rows
            }
        }
        return rows;
    }

    private static void checkHeader(CsvSchema header, Columns columns, Path file) {
        for (String column : columns.required()) {
            if (header.column(column) == null) {
                List<String> names = new ArrayList<>();
                header.forEach(c -> names.add(c.getName()));
                throw DataException.atField(file, 1, column, "no such column in the header (columns: "
                        + String.join(", ", names) + ")");
            }
        }
    }

    private static Map<String, String> readRow(JsonParser parser, Path file, DataFormat format, long line, Columns columns)
            throws IOException {
        Map<String, String> all = new HashMap<>();
        JsonToken token;
        while ((token = next(parser, file, format)) != JsonToken.END_OBJECT && token != null) {
            if (token == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                next(parser, file, format);
                all.put(name, parser.getText());
            }
        }
        Map<String, String> cells = new LinkedHashMap<>();
        for (String column : columns.all()) {
            if (all.containsKey(column)) {
                cells.put(column, all.get(column));
            } else if (columns.isRequired(column)) {
                throw DataException.atField(file, line, column, "missing: the row has " + all.size()
                        + " cells, fewer than the header's columns");
            }
        }
        return cells;
    }

    private static JsonToken next(JsonParser parser, Path file, DataFormat format) throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long line = at == null ? parser.currentLocation().getLineNr() : at.getLineNr();
            throw DataException.atLine(file, line, "malformed " + format.name() + " row: " + e.getOriginalMessage());
        }
    }
}
