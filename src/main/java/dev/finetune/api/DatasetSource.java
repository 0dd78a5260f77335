package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Pattern;

/** Where the rows come from. A local folder holds one file per split, named after the split. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetSource {
    @Required
    @Pattern("^((hf|https|file|pvc)://.+|[^:/][^:]*)$")
    @JsonPropertyDescription("hf://ORG/NAME, https://..., file:///abs/path, pvc://relative/path, or a relative path (on the job's volume in a pod; beside the manifest with `run`); a file or a folder of split files.")
    public String uri;

    @JsonPropertyDescription("Hub revision for hf:// URIs. main reads the Hub's Parquet conversion of the dataset"
            + " (branch refs/convert/parquet); another branch, tag or commit is read as the Parquet files it holds in that"
            + " layout (CONFIG/SPLIT/*.parquet), e.g. a commit of refs/convert/parquet as status.sources.dataset.commit shows it."
            + " The commit resolved at the first start is used again by every retry and resume.")
    @Default("main")
    public String revision = "main";

    @JsonPropertyDescription("Dataset configuration on the Hub (e.g. mrpc of nyu-mll/glue).")
    public String config;

    @JsonPropertyDescription("Split to train on.")
    @Default("train")
    public String trainSplit = "train";

    @JsonPropertyDescription("Split to evaluate on; empty for none.")
    public String evalSplit;

    @JsonPropertyDescription("File format: auto (from the extension), jsonl, csv, tsv or parquet.")
    @Default("auto")
    @Pattern("^(auto|jsonl|csv|tsv|parquet)$")
    public String format = "auto";
}
