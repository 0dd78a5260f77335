package dev.finetune.trainer.source;

import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds a config's split in the file list of a dataset's {@code refs/convert/parquet} branch. The layout is
 * {@code CONFIG/SPLIT/0000.parquet} ({@code CONFIG/partial-SPLIT/...} where only part of a large split was
 * converted); older conversions wrote {@code CONFIG/NAME-SPLIT.parquet} or {@code CONFIG/NAME-SPLIT-00000-of-00002.parquet}.
 */
final class HubParquetFiles {
    private HubParquetFiles() {
    }

    /** The split's parquet files in shard order; empty where there are none. */
    static List<String> of(List<String> files, String config, String split) {
        TreeSet<String> found = new TreeSet<>();
        Pattern legacy = Pattern.compile(Pattern.quote(config + "/") + "[^/]*-" + Pattern.quote(split) + "(-\\d{5}-of-\\d{5})?\\.parquet");
        for (String file : files) {
            if (!file.endsWith(".parquet")) {
                continue;
            }
            if (file.startsWith(config + "/" + split + "/") && file.indexOf('/', config.length() + split.length() + 2) < 0) {
                found.add(file);
            } else if (legacy.matcher(file).matches()) {
                found.add(file);
            }
        }
        if (found.isEmpty()) {
            for (String file : files) {
                if (file.startsWith(config + "/partial-" + split + "/") && file.endsWith(".parquet")) {
                    found.add(file);
                }
            }
        }
        return List.copyOf(found);
    }

    /** A clear error: the configs, or the config's splits, that the conversion does have. */
    static SourceException missing(List<String> files, String repo, String config, String split, String splitField) {
        TreeSet<String> configs = new TreeSet<>();
        TreeSet<String> splits = new TreeSet<>();
        for (String file : files) {
            String[] parts = file.split("/");
            if (parts.length >= 2 && file.endsWith(".parquet")) {
                configs.add(parts[0]);
                if (parts[0].equals(config) && parts.length == 3) {
                    splits.add(parts[1].replaceFirst("^partial-", ""));
                }
            }
        }
        if (!configs.contains(config)) {
            return SourceException.permanent("spec.dataset.config: hf://" + repo + " has no config '" + config
                    + "' in its Parquet conversion (configs: " + configs + ")");
        }
        return SourceException.permanent(splitField + ": hf://" + repo + " config '" + config + "' has no split '" + split
                + "' (splits: " + splits + ")");
    }
}
