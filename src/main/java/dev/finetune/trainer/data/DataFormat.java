package dev.finetune.trainer.data;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats the trainer reads; {@code auto} picks one from the file extension. */
public enum DataFormat {
    JSONL("jsonl"),
    CSV("csv"),
    TSV("tsv");

    private final String extension;

    DataFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /**
     * The format named by {@code DatasetSource.format} ({@code null}, blank or {@code auto}: from the
     * extension of {@code file}; {@code .json} is read as JSON lines, as the Hugging Face json loader does).
     */
    public static DataFormat of(String format, Path file) {
        String name = name(format);
        if (name.equals("auto")) {
            name = extensionOf(file);
            if (name.equals("json")) {
                name = "jsonl";
            }
        }
        for (DataFormat f : values()) {
            if (f.extension.equals(name)) {
                return f;
            }
        }
        if (name.equals("parquet")) {
            throw DataException.inFile(file, "format 'parquet' is not supported yet; use jsonl, csv or tsv");
        }
        if (format == null || format.isBlank() || format.trim().equalsIgnoreCase("auto")) {
            throw DataException.inFile(file, "cannot tell the format from the extension '." + name
                    + "'; name the file .jsonl, .csv or .tsv, or set spec.dataset.format");
        }
        throw DataException.inFile(file, "unknown spec.dataset.format '" + format + "'; use auto, jsonl, csv or tsv");
    }

    /**
     * Whether {@code format}, or for {@code auto} the file's extension, names Parquet: read only after it is converted
     * to JSON lines (ParquetConverter), so {@link #of} does not take it.
     */
    public static boolean isParquet(String format, Path file) {
        String name = name(format);
        return name.equals("parquet") || (name.equals("auto") && extensionOf(file).equals("parquet"));
    }

    private static String name(String format) {
        return format == null || format.isBlank() ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    }

    static String extensionOf(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
