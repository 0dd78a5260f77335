package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The checkpoints on the job's volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointInfo {
    /** Folder name of the newest complete checkpoint, e.g. checkpoint-500. */
    public String latest;
    /** Folder name of the best checkpoint by metricForBestModel. */
    public String best;
    public Double bestMetric;
    public Integer count;
}
