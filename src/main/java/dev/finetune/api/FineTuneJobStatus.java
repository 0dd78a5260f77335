package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of the job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FineTuneJobStatus {
    @JsonPropertyDescription("Pending, Running, Succeeded, Failed or Suspended.")
    public Phase phase;
    public List<Condition> conditions = new ArrayList<>();
    public Long observedGeneration;
    public String startTime;
    public String completionTime;
    @JsonPropertyDescription("Failed training pods so far (each retry resumes from the latest checkpoint).")
    public Integer restarts;
    public String jobName;
    public Progress progress;
    public TrainingMetrics metrics;
    public CheckpointInfo checkpoints;
}
