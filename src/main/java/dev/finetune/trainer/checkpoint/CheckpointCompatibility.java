package dev.finetune.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainingSteps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a checkpoint can continue under the job as it is now. What makes the run another run is an error: the
 * model's architecture and shapes, the number of labels, and what maps a step to its batches (seed, batch size,
 * gradient accumulation, the size of the dataset). Other changed settings (learning rate, maxSteps or epochs, ...)
 * are allowed — continuing a run for more epochs is a normal thing to do — and listed in a warning, since the run
 * is then no longer the one the checkpoint started.
 */
final class CheckpointCompatibility {
    private CheckpointCompatibility() {}

    /**
     * Throws {@link IncompatibleCheckpointException} when {@code checkpoint} cannot continue as the job {@code spec}
     * with a model of {@code modelConfig} over {@code steps}; returns the settings that changed but are allowed.
     */
    static List<String> check(Path checkpoint, EncoderConfig modelConfig, TrainingSpec spec, TrainingSteps steps)
            throws IOException {
        EncoderConfig saved;
        try {
            saved = ModelFamilies.readConfig(checkpoint.resolve(CheckpointLayout.CONFIG));
        } catch (IllegalArgumentException e) {
            throw incompatible(checkpoint, e.getMessage());
        }
        if (!saved.modelType().equals(modelConfig.modelType())) {
            throw incompatible(checkpoint, "its config.json has model_type = " + saved.modelType()
                    + ", the job's model (spec.model) has " + modelConfig.modelType() + ": it is another model");
        }
        if (saved.numLabels() != modelConfig.numLabels()) {
            throw incompatible(checkpoint, "its config.json has num_labels = " + saved.numLabels()
                    + ", the job's spec.task.numLabels is " + modelConfig.numLabels());
        }
        Map<String, Integer> savedArchitecture = saved.architecture();
        for (Map.Entry<String, Integer> e : modelConfig.architecture().entrySet()) {
            Integer then = savedArchitecture.get(e.getKey());
            Integer now = e.getValue();
            if (!Objects.equals(then, now)) {
                throw incompatible(checkpoint, "its config.json has " + e.getKey() + " = " + then
                        + ", the job's model (spec.model) has " + now + ": it is another model");
            }
        }
        ResumePoint point = CheckpointReader.readResumePoint(checkpoint);
        try {
            point.checkResumable(spec, steps);
        } catch (IllegalArgumentException e) {
            throw incompatible(checkpoint, e.getMessage());
        }
        return changedSettings(checkpoint, spec);
    }

    /** The spec.training fields whose value differs from training_args.json, as "field: then -> now". */
    private static List<String> changedSettings(Path checkpoint, TrainingSpec spec) throws IOException {
        JsonNode then = TrainerStateFile.JSON.readTree(checkpoint.resolve(CheckpointLayout.TRAINING_ARGS).toFile());
        JsonNode now = TrainerStateFile.JSON.valueToTree(spec);
        List<String> changed = new ArrayList<>();
        for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("resumeFromCheckpoint") && !same(now.get(field), then.get(field))) {
                changed.add(field + ": " + then.get(field) + " -> " + now.get(field));
            }
        }
        for (Iterator<String> it = then.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!now.has(field)) {
                changed.add(field + ": " + then.get(field) + " -> unset");
            }
        }
        return changed;
    }

    /** By value: 42 read back as an int equals the long 42 it was written from. */
    private static boolean same(JsonNode a, JsonNode b) {
        return b != null && a.toString().equals(b.toString());
    }

    private static IncompatibleCheckpointException incompatible(Path checkpoint, String why) {
        return new IncompatibleCheckpointException("cannot resume from " + checkpoint + ": " + why
                + ". Start over with spec.training.resumeFromCheckpoint: false (its checkpoints are then removed) "
                + "or give the job another output folder");
    }
}
