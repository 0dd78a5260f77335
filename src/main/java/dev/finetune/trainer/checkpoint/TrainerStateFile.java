package dev.finetune.trainer.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.train.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * trainer_state.json exactly as transformers' {@code TrainerState.save_to_json} writes it, so that
 * {@code TrainerState.load_from_json} (which passes every key to the constructor) reads ours: keys our
 * {@link TrainerState} has and transformers' has not are moved where transformers keeps them — the early-stopping
 * counter into {@code stateful_callbacks.EarlyStoppingCallback.attributes} — or left out (the throughput).
 */
final class TrainerStateFile {
    // NaN as Python's json writes and reads it (a bare NaN: eval_pearson of constant predictions), not Jackson's "NaN"
    // string, which transformers would load as a str.
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final String COUNTER = "early_stopping_patience_counter";

    private TrainerStateFile() {}

    static void write(Path file, TrainerState state, TrainingSpec spec) throws IOException {
        ObjectNode json = JSON.valueToTree(state);
        json.remove(COUNTER);
        json.remove("train_samples_per_second");
        json.put("total_flos", 0);
        json.put("is_hyper_param_search", false);
        json.putNull("trial_name");
        json.putNull("trial_params");
        ObjectNode callbacks = json.putObject("stateful_callbacks");
        if (spec.earlyStoppingPatience != null) {
            ObjectNode early = callbacks.putObject("EarlyStoppingCallback");
            early.putObject("args")
                    .put("early_stopping_patience", spec.earlyStoppingPatience)
                    .put("early_stopping_threshold", spec.earlyStoppingThreshold == null ? 0.0 : spec.earlyStoppingThreshold);
            early.putObject("attributes").put(COUNTER, state.earlyStoppingPatienceCounter);
        }
        ObjectNode control = callbacks.putObject("TrainerControl");
        control.putObject("args")
                .put("should_training_stop", false)
                .put("should_epoch_stop", false)
                .put("should_save", true)
                .put("should_evaluate", false)
                .put("should_log", false);
        control.putObject("attributes");
        Files.writeString(file, JSON.writeValueAsString(json) + "\n");
    }

    /** Reads one back; a file that is no trainer_state.json is an error naming it. */
    static TrainerState read(Path file) throws IOException {
        ObjectNode json;
        try {
            json = (ObjectNode) JSON.readTree(file.toFile());
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IOException(file + " is not a JSON object: " + e.getMessage(), e);
        }
        if (json == null || !json.has("global_step") || !json.has("log_history")) {
            throw new IOException(file + " lacks global_step or log_history");
        }
        TrainerState state = JSON.treeToValue(json, TrainerState.class);
        state.earlyStoppingPatienceCounter =
                json.path("stateful_callbacks").path("EarlyStoppingCallback").path("attributes").path(COUNTER).asInt(0);
        return state;
    }
}
