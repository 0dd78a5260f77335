package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The checkpoints on the job's volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointInfo {
    @JsonPropertyDescription("Folder name of the newest complete checkpoint, e.g. checkpoint-500.")
    public String latest;
    @JsonPropertyDescription("Folder name of the best checkpoint by metricForBestModel.")
    public String best;
    @JsonPropertyDescription("metricForBestModel of the best checkpoint.")
    public Double bestMetric;
    @JsonPropertyDescription("Complete checkpoints on the volume.")
    public Integer count;
}
