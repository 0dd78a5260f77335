package dev.finetune.trainer.data;

import java.util.Map;

/**
 * One row as it stands in the file: its 1-based starting line and its cells by column name, all as
 * text. A column the row lacks is absent from {@code cells}; a JSON {@code null} maps to {@code null}.
 */
record RawRow(long line, Map<String, String> cells) {}
