package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** What to fine-tune, on what, how, and where it runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FineTuneJobSpec {
    @Required
    @JsonPropertyDescription("The pretrained model to start from.")
    public ModelSource model = new ModelSource();

    @Required
    @JsonPropertyDescription("The training (and evaluation) data.")
    public DatasetSource dataset = new DatasetSource();

    @JsonPropertyDescription("What is learned: task type, labels, input columns.")
    public TaskSpec task = new TaskSpec();

    @JsonPropertyDescription("Hyperparameters, named as Hugging Face TrainingArguments in camelCase.")
    public TrainingSpec training = new TrainingSpec();

    @JsonPropertyDescription("GPUs and other resources of the training pod.")
    public ResourcesSpec resources = new ResourcesSpec();

    @JsonPropertyDescription("Where the training pod may run.")
    public SchedulingSpec scheduling = new SchedulingSpec();

    @JsonPropertyDescription("The volume that holds the cache, checkpoints and the final model.")
    public StorageSpec storage = new StorageSpec();

    // No @Default: the generator writes @Default("") as `default: null`, which the API server rejects;
    // an absent or empty image both take the operator's default (FINETUNE_TRAINER_IMAGE).
    @JsonPropertyDescription("Trainer image; empty takes the operator's default.")
    public String image = "";

    @JsonPropertyDescription("Hold the job (the Job is suspended; resuming continues from the latest checkpoint).")
    @Default("false")
    public Boolean suspend = false;

    @JsonPropertyDescription("Retries of a failed training pod before the job fails.")
    @Min(0)
    @Default("3")
    public Integer backoffLimit = 3;

    /** Room for a bert-base checkpoint (about 1.3 GB with the optimiser moments) on a slow network volume. */
    public static final int DEFAULT_TERMINATION_GRACE_SECONDS = 300;

    @JsonPropertyDescription("Seconds the training pod has after SIGTERM (preemption, eviction, deletion) to finish its "
            + "step and save a checkpoint before it is killed; the pod's terminationGracePeriodSeconds.")
    @Min(1)
    @Default("300")
    public Integer terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_SECONDS;

    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 1800;

    @JsonPropertyDescription("Seconds without progress (no step, no download progress, no stage change) after which the "
            + "trainer counts as hung: its liveness probe fails, the kubelet kills it and the Job retries it (counted in "
            + "backoffLimit); set it above the longest evaluation or checkpoint save.")
    @Min(60)
    @Default("1800")
    public Integer progressDeadlineSeconds = DEFAULT_PROGRESS_DEADLINE_SECONDS;

    @JsonPropertyDescription("Seconds after the job finished before its Job and pod are deleted; unset keeps them.")
    @Min(0)
    public Integer ttlSecondsAfterFinished;

    @JsonPropertyDescription("Env, labels, annotations, pull secrets, ServiceAccount and affinity of the training pod, over the operator's defaults (the chart's trainer.podDefaults).")
    public PodSettings pod = new PodSettings();

    @JsonPropertyDescription("Seconds the Job may run, retries included, before it is failed (the Job's activeDeadlineSeconds); unset: no limit.")
    @Min(1)
    public Long activeDeadlineSeconds;
}
