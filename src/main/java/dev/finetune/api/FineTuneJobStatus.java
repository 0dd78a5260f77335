package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of the job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FineTuneJobStatus {
    public Phase phase;
    public List<Condition> conditions = new ArrayList<>();
    public Long observedGeneration;
    public String startTime;
    public String completionTime;
    public Integer restarts;
    public String jobName;
    public Progress progress;
    public TrainingMetrics metrics;
    public CheckpointInfo checkpoints;
}
