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
    @JsonPropertyDescription("Created, Running, Suspended, Succeeded, Failed, SpecChangeRejected and ProgressUnavailable, and"
            + " Ready, Reconciling and Stalled in the kstatus convention (Ready is True once the job succeeded), as Kubernetes conditions.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
    public Long observedGeneration;
    @JsonPropertyDescription("When the training pod started (RFC 3339).")
    public String startTime;
    @JsonPropertyDescription("When the job succeeded or failed (RFC 3339).")
    public String completionTime;
    @JsonPropertyDescription("Failed training pods so far (each retry resumes from the latest checkpoint).")
    public Integer restarts;
    @JsonPropertyDescription("Training pods preempted or evicted by the control plane (scheduler or Kueue preemption, the"
            + " eviction API, a node taint); retried without counting against spec.backoffLimit.")
    public Integer preemptions;
    @JsonPropertyDescription("Training pods evicted by the kubelet for node pressure (memory or disk); counted as failures,"
            + " also in restarts.")
    public Integer evictions;
    @JsonPropertyDescription("The Kubernetes Job that runs the trainer.")
    public String jobName;
    @JsonPropertyDescription("Where training stands, from the trainer's reports.")
    public Progress progress;
    @JsonPropertyDescription("Latest training and evaluation figures.")
    public TrainingMetrics metrics;
    @JsonPropertyDescription("The checkpoints on the job's volume.")
    public CheckpointInfo checkpoints;
    @JsonPropertyDescription("The Hub commits of the model and dataset, pinned at the first start: every retry and resume"
            + " trains on these, even when the branch has moved since.")
    public ResolvedSources sources;
    @JsonPropertyDescription("The PersistentVolumeClaim that holds the run's checkpoints and final model.")
    public String claimName;
    @JsonPropertyDescription("The run's folder on that claim (<job>/run-<hash of the training spec>): checkpoints in it,"
            + " the final model in its final/ subfolder; the pod mounts the claim at /workspace.")
    public String outputPath;
}
