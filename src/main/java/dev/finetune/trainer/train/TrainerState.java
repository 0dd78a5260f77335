package dev.finetune.trainer.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face Trainer's TrainerState: what trainer_state.json holds, and what callbacks see.
 * Field names follow transformers so that its tools read our checkpoints.
 */
public class TrainerState {
    @JsonProperty("global_step")
    public long globalStep;

    @JsonProperty("max_steps")
    public long maxSteps;

    /** Fractional epoch: 1.5 is half-way through the second epoch. */
    @JsonProperty("epoch")
    public double epoch;

    @JsonProperty("num_train_epochs")
    public int numTrainEpochs;

    @JsonProperty("train_batch_size")
    public int trainBatchSize;

    @JsonProperty("logging_steps")
    public int loggingSteps;

    @JsonProperty("eval_steps")
    public int evalSteps;

    @JsonProperty("save_steps")
    public int saveSteps;

    /** Every log and evaluation, in order, with the keys the Trainer uses (loss, learning_rate, eval_f1, step, ...). */
    @JsonProperty("log_history")
    public List<Map<String, Object>> logHistory = new ArrayList<>();

    @JsonProperty("best_metric")
    public Double bestMetric;

    /** The step of the evaluation that set best_metric (transformers' best_global_step). */
    @JsonProperty("best_global_step")
    public Long bestGlobalStep;

    /** Path of the best checkpoint folder, as transformers writes it. */
    @JsonProperty("best_model_checkpoint")
    public String bestModelCheckpoint;

    @JsonProperty("is_world_process_zero")
    public boolean isWorldProcessZero = true;

    @JsonProperty("is_local_process_zero")
    public boolean isLocalProcessZero = true;

    /** Evaluations in a row without improvement, for early stopping (transformers keeps it in its callback). */
    @JsonProperty("early_stopping_patience_counter")
    public int earlyStoppingPatienceCounter;

    /** Training throughput over the last logging window; not part of transformers' file. */
    @JsonProperty("train_samples_per_second")
    public Double trainSamplesPerSecond;

    public Map<String, Object> latestLog(String key) {
        for (int i = logHistory.size() - 1; i >= 0; i--) {
            if (logHistory.get(i).containsKey(key)) {
                return logHistory.get(i);
            }
        }
        return new LinkedHashMap<>();
    }
}
