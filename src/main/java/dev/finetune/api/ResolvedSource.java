package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A Hub source as the job's first start resolved it; every retry and resume reads this commit again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResolvedSource {
    @JsonPropertyDescription("The URI of the spec (hf://ORG/NAME).")
    public String uri;
    @JsonPropertyDescription("The revision the spec asked for (a branch, tag or commit).")
    public String revision;
    @JsonPropertyDescription("The commit it resolved to at the first start (for a dataset at revision main: the commit of"
            + " its Parquet conversion, branch refs/convert/parquet).")
    public String commit;

    public ResolvedSource() {}

    public ResolvedSource(String uri, String revision, String commit) {
        this.uri = uri;
        this.revision = revision;
        this.commit = commit;
    }
}
