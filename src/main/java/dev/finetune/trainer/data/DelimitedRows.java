package dev.finetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads CSV (RFC 4180 quoting) and TSV (tab-separated, no quoting, as GLUE's .tsv files and Python's
 * {@code csv.QUOTE_NONE} read them) with a header row naming the columns. Empty lines are skipped.
 */
final class DelimitedRows {
    // Parser features must be set on the mapper: the parser reads them when it is created.
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();
    private static final CsvSchema CSV_SCHEMA = CsvSchema.emptySchema().withHeader();
    private static final CsvSchema TSV_SCHEMA =
            CsvSchema.emptySchema().withHeader().withColumnSeparator('\t').withoutQuoteChar().withoutEscapeChar();

    private final Path file;
    private final DataFormat format;
    private final Columns columns;
    private final CsvParser parser;
    /** Line the row being read starts on; a row may span lines when a quoted cell holds a newline. */
    private long rowLine = 1;

    private DelimitedRows(Path file, DataFormat format, Columns columns, CsvParser parser) {
        this.file = file;
        this.format = format;
        this.columns = columns;
        this.parser = parser;
    }

    static List<RawRow> read(Path file, DataFormat format, Columns columns) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        forEach(file, format, columns, rows::add);
        return rows;
    }

    /** Hands each row to {@code sink} as it is read, so that a large file is never held in memory. */
    static void forEach(Path file, DataFormat format, Columns columns, Consumer<RawRow> sink) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                CsvParser parser = (CsvParser) CSV.getFactory().createParser(in)) {
            parser.setSchema(format == DataFormat.TSV ? TSV_SCHEMA : CSV_SCHEMA);
            new DelimitedRows(file, format, columns, parser).rows(sink);
        }
    }

    /**
     * The column names of the header row, or none where the file has no readable header (the read that follows
     * reports why): enough to tell a pre-tokenised file by its input_ids column.
     */
    static List<String> header(Path file, DataFormat format) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                CsvParser parser = (CsvParser) CSV.getFactory().createParser(in)) {
            parser.setSchema(format == DataFormat.TSV ? TSV_SCHEMA : CSV_SCHEMA);
            try {
                parser.nextToken();
            } catch (IOException e) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            parser.getSchema().forEach(c -> names.add(c.getName()));
            return names;
        }
    }

    private void rows(Consumer<RawRow> sink) throws IOException {
        boolean headerChecked = false;
        JsonToken token;
        while ((token = next()) != null) {
            if (token != JsonToken.START_OBJECT) {
                continue;
            }
            rowLine = parser.currentLocation().getLineNr();
            if (!headerChecked) {
                checkHeader();
                headerChecked = true;
            }
            sink.accept(new RawRow(rowLine, readRow()));
        }
        if (!headerChecked && parser.getSchema().size() > 0) {
            checkHeader(); // a header but no rows
        }
    }

    private void checkHeader() {
        CsvSchema header = parser.getSchema();
        for (String column : columns.required()) {
            if (header.column(column) == null) {
                List<String> names = new ArrayList<>();
                header.forEach(c -> names.add(c.getName()));
                throw DataException.atField(file, 1, column, "no such column in the header (columns: "
                        + String.join(", ", names) + ")");
            }
        }
    }

    private Map<String, String> readRow() throws IOException {
        Map<String, String> all = new HashMap<>();
        JsonToken token;
        while ((token = next()) != JsonToken.END_OBJECT && token != null) {
            if (token == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                next();
                all.put(name, parser.getText());
            }
        }
        Map<String, String> cells = new LinkedHashMap<>();
        for (String column : columns.all()) {
            if (all.containsKey(column)) {
                cells.put(column, all.get(column));
            } else if (columns.isRequired(column)) {
                throw DataException.atField(file, rowLine, column, "missing: the row has " + all.size()
                        + " cells, fewer than the header's " + parser.getSchema().size() + " columns");
            }
        }
        return cells;
    }

    private JsonToken next() throws IOException {
        try {
            return parser.nextToken();
        } catch (java.io.CharConversionException e) {
            // The parser counts bytes, not lines: find the line of the first byte that is not UTF-8.
            throw DataException.atLine(file, Utf8Lines.firstInvalidLine(file), "not valid UTF-8 text; save the file as UTF-8");
        } catch (JsonProcessingException e) {
            throw DataException.atLine(file, rowLine, "malformed " + format.name() + " row: " + e.getOriginalMessage());
        }
    }
}
