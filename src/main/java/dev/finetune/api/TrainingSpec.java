package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Hyperparameters with the names and defaults of Hugging Face TrainingArguments, in camelCase. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSpec {
    @JsonPropertyDescription("Epochs to train (num_train_epochs); maxSteps > 0 overrides it.")
    @Min(0)
    @Default("3")
    public Double numTrainEpochs = 3.0;

    @JsonPropertyDescription("Total optimiser steps (max_steps); -1 derives it from numTrainEpochs.")
    @Default("-1")
    public Integer maxSteps = -1;

    @JsonPropertyDescription("Training examples per batch on each device.")
    @Min(1)
    @Default("8")
    public Integer perDeviceTrainBatchSize = 8;

    @JsonPropertyDescription("Evaluation examples per batch on each device.")
    @Min(1)
    @Default("8")
    public Integer perDeviceEvalBatchSize = 8;

    @JsonPropertyDescription("Batches whose gradients are summed before each optimiser step.")
    @Min(1)
    @Default("1")
    public Integer gradientAccumulationSteps = 1;

    @JsonPropertyDescription("Peak AdamW learning rate.")
    @Min(value = 0, inclusive = false)
    @Default("5.0e-5")
    public Double learningRate = 5.0e-5;

    @JsonPropertyDescription("AdamW decoupled weight decay; biases and LayerNorm weights are not decayed.")
    @Min(0)
    @Default("0.0")
    public Double weightDecay = 0.0;

    @JsonPropertyDescription("AdamW beta1 (decay of the first-moment estimate).")
    @Default("0.9")
    public Double adamBeta1 = 0.9;

    @JsonPropertyDescription("AdamW beta2 (decay of the second-moment estimate).")
    @Default("0.999")
    public Double adamBeta2 = 0.999;

    @JsonPropertyDescription("AdamW epsilon, added to the denominator for numerical stability.")
    @Default("1.0e-8")
    public Double adamEpsilon = 1.0e-8;

    @JsonPropertyDescription("Clip the global L2 norm of the gradients to this; 0 disables.")
    @Min(0)
    @Default("1.0")
    public Double maxGradNorm = 1.0;

    @JsonPropertyDescription("linear, constant, constant_with_warmup or cosine.")
    @Default("linear")
    @Pattern("^(linear|constant|constant_with_warmup|cosine)$")
    public String lrSchedulerType = "linear";

    @JsonPropertyDescription("Steps of linear warm-up from 0 to learningRate; overrides warmupRatio when above 0.")
    @Min(0)
    @Default("0")
    public Integer warmupSteps = 0;

    @JsonPropertyDescription("Fraction of the steps used for warm-up when warmupSteps is 0.")
    @Min(0)
    @Default("0.0")
    public Double warmupRatio = 0.0;

    @JsonPropertyDescription("Random seed for weight initialisation, shuffling and dropout; a resumed run must keep it.")
    @Default("42")
    public Long seed = 42L;

    @JsonPropertyDescription("no, steps or epoch.")
    @Default("no")
    @Pattern("^(no|steps|epoch)$")
    public String evalStrategy = "no";

    @JsonPropertyDescription("Evaluate every N steps with evalStrategy steps; 0 takes loggingSteps.")
    @Min(0)
    public Integer evalSteps;

    @JsonPropertyDescription("no, steps or epoch.")
    @Default("steps")
    @Pattern("^(no|steps|epoch)$")
    public String saveStrategy = "steps";

    @JsonPropertyDescription("Save a checkpoint every N steps with saveStrategy steps.")
    @Min(1)
    @Default("500")
    public Integer saveSteps = 500;

    @JsonPropertyDescription("Keep at most this many checkpoints (the best is always kept); unset keeps all, as in"
            + " transformers (no limit by default, so that no checkpoint is ever deleted unasked). The trainer warns at start"
            + " when the checkpoints kept cannot fit on the volume, and stops with exit code 2 before a save that does not fit.")
    @Min(1)
    public Integer saveTotalLimit;

    @JsonPropertyDescription("Log loss, learning rate and gradient norm (and update the status) every N steps.")
    @Min(1)
    @Default("500")
    public Integer loggingSteps = 500;

    @JsonPropertyDescription("Export the best checkpoint (by metricForBestModel) as the final model; needs saveStrategy equal to evalStrategy (and saveSteps a multiple of evalSteps).")
    @Default("false")
    public Boolean loadBestModelAtEnd = false;

    @JsonPropertyDescription("A metric the task's evaluation logs (an eval_ prefix is accepted): loss; accuracy, f1 (2 labels) or"
            + " macro_f1, matthews_correlation (single-label); accuracy, f1, macro_f1 (multi-label); mse, pearson, spearmanr"
            + " (regression).")
    @Default("loss")
    public String metricForBestModel = "loss";

    @JsonPropertyDescription("Whether a larger metricForBestModel is better; unset: false for loss, true otherwise.")
    public Boolean greaterIsBetter;

    @JsonPropertyDescription("Stop after this many evaluations without improvement of metricForBestModel; unset never stops early.")
    @Min(1)
    public Integer earlyStoppingPatience;

    @JsonPropertyDescription("Least improvement of metricForBestModel that counts for earlyStoppingPatience.")
    @Min(0)
    @Default("0.0")
    public Double earlyStoppingThreshold = 0.0;

    @JsonPropertyDescription("Continue from the newest checkpoint in the output folder when there is one.")
    @Default("true")
    public Boolean resumeFromCheckpoint = true;

    @JsonPropertyDescription("Mixed precision (fp16): float16 compute on float32 master weights with dynamic loss scaling,"
            + " as torch.amp's GradScaler; LayerNorm, softmax and the loss in float32. Meant for GPUs: on a CPU it is"
            + " slower than float32.")
    @Default("false")
    public Boolean fp16 = false;

    @JsonPropertyDescription("Allow TF32 matmuls on Ampere and newer GPUs (tf32): sets TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1"
            + " in the training pod.")
    @Default("false")
    public Boolean tf32 = false;
}
