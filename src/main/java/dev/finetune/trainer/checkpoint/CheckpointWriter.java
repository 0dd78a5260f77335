package dev.finetune.trainer.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.metrics.TrainingMeters;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.train.CheckpointSaver;
import dev.finetune.trainer.train.LearningRateSchedule;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code OUTPUT/checkpoint-<step>/} at each of the loop's save points, in the Hugging Face layout (see
 * {@link CheckpointLayout}), atomically ({@link AtomicFolder}), then applies saveTotalLimit; and at the end writes
 * {@code OUTPUT/final/} with the best or the last weights ({@link #saveFinal}).
 */
public final class CheckpointWriter implements CheckpointSaver {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final Path output;
    private final PretrainedModel model;
    private final Path tokenizerDir;
    private final TrainingSpec spec;
    private final TrainingMeters meters;
    private final CheckpointRetention retention;
    private final SaveInterruption interruption;
    /** Checked before each save; null: none (only until {@link #withDiskSpaceCheck} is called). */
    private DiskSpaceCheck diskSpace;
    /** Written as the saved tokenizer_config.json's model_max_length; null keeps the model folder's. */
    private Integer modelMaxLength;

    /**
     * @param output the job's output folder (created if absent)
     * @param model the model the loop trains; its live weights are what a save writes
     * @param tokenizerDir the folder the tokenizer files are copied from (the model folder), or null for none
     * @param spec the job's training settings (saveTotalLimit, loadBestModelAtEnd; written as training_args.json)
     * @param meters where finetune_checkpoint_save_seconds is recorded, or null
     */
    public CheckpointWriter(Path output, PretrainedModel model, Path tokenizerDir, TrainingSpec spec,
            TrainingMeters meters) {
        this(output, model, tokenizerDir, spec, meters, SaveInterruption.NONE);
    }

    CheckpointWriter(Path output, PretrainedModel model, Path tokenizerDir, TrainingSpec spec,
            TrainingMeters meters, SaveInterruption interruption) {
        this.output = Objects.requireNonNull(output, "output");
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizerDir = tokenizerDir;
        this.spec = Objects.requireNonNull(spec, "spec");
        this.meters = meters;
        this.retention = new CheckpointRetention(spec.saveTotalLimit);
        this.interruption = interruption;
    }

    /** Checks the free space before every save (see {@link DiskSpaceCheck}). */
    public CheckpointWriter withDiskSpaceCheck(DiskSpaceCheck check) {
        this.diskSpace = check;
        return this;
    }

    /**
     * Saves the tokenizer with {@code model_max_length} set to the job's maxLength, as transformers' save_pretrained
     * does after {@code tokenizer.model_max_length = N}: predict on the saved folder then truncates as training did.
     */
    public CheckpointWriter withModelMaxLength(Integer maxLength) {
        this.modelMaxLength = maxLength;
        return this;
    }

    /**
     * Writes checkpoint-STEP for the snapshot (the live weights and moments, so before the next step), renames it
     * into place, then deletes what saveTotalLimit says. Returns the checkpoint folder.
     */
    @Override
    public Path save(TrainingSnapshot snapshot) throws IOException {
        long started = System.nanoTime();
        TrainerState state = snapshot.state();
        ResumePoint point = snapshot.point();
        if (point.globalStep != state.globalStep) {
            throw new IllegalArgumentException("snapshot at step " + point.globalStep + " has a trainer state at step "
                    + state.globalStep);
        }
        Path destination = CheckpointLayout.checkpointFolder(output, state.globalStep);
        if (diskSpace != null) {
            diskSpace.beforeCheckpoint(destination, spec);
        }
        LOG.info("Saving model checkpoint to {}", destination);
        // As transformers: the checkpoint being written is the best one when this step's evaluation set best_metric.
        if (Objects.equals(state.bestGlobalStep, state.globalStep)) {
            state.bestModelCheckpoint = destination.toString();
        }
        AtomicFolder folder = AtomicFolder.begin(destination, interruption);
        try {
            Path dir = folder.path();
            writeModel(dir);
            OptimizerStateFile.write(dir.resolve(CheckpointLayout.OPTIMIZER), snapshot.optimizerState(), point.globalStep);
            interruption.reached("wrote", dir.resolve(CheckpointLayout.OPTIMIZER));
            writeJson(dir.resolve(CheckpointLayout.SCHEDULER), schedulerState(state));
            writeJson(dir.resolve(CheckpointLayout.RNG_STATE), point);
            writeJson(dir.resolve(CheckpointLayout.TRAINING_ARGS), spec);
            TrainerStateFile.write(dir.resolve(CheckpointLayout.TRAINER_STATE), state, spec);
            interruption.reached("wrote", dir.resolve(CheckpointLayout.TRAINER_STATE));
            folder.commit();
        } catch (IOException | RuntimeException e) {
            folder.abandon();
            throw e;
        }
        retention.rotate(output, state.bestModelCheckpoint);
        if (meters != null) {
            meters.recordCheckpointSave(Duration.ofNanos(System.nanoTime() - started));
        }
        return destination;
    }

    /**
     * Writes {@code OUTPUT/final/} (config.json, model.safetensors, tokenizer files), atomically. With
     * loadBestModelAtEnd the best checkpoint's weights are loaded into the model first, as transformers does at the
     * end of train(); otherwise (or when no best checkpoint was saved) the model's current weights are exported.
     */
    public Path saveFinal(TrainerState state) throws IOException {
        if (Boolean.TRUE.equals(spec.loadBestModelAtEnd)) {
            // By name in this output folder: a resumed run may see the volume under another path than the one recorded.
            Path best = state.bestModelCheckpoint == null ? null
                    : output.resolve(Path.of(state.bestModelCheckpoint).getFileName());
            if (best != null && Files.isDirectory(best)) {
                LOG.info("Loading best model from {} (score: {}).", best, state.bestMetric);
                CheckpointReader.loadWeights(best, model);
            } else {
                LOG.warn("loadBestModelAtEnd is set but no best checkpoint was saved (it needs an evaluation at a save "
                        + "step, evalStrategy and saveStrategy alike, whose metric is a number, not NaN); exporting the last weights");
            }
        }
        Path destination = CheckpointLayout.finalFolder(output);
        if (diskSpace != null) {
            diskSpace.beforeFinal(destination);
        }
        AtomicFolder folder = AtomicFolder.begin(destination, interruption);
        try {
            writeModel(folder.path());
            folder.commit();
        } catch (IOException | RuntimeException e) {
            folder.abandon();
            throw e;
        }
        LOG.info("Saving the final model to {}", destination);
        return destination;
    }

    private void writeModel(Path dir) throws IOException {
        model.savePretrained(dir);
        interruption.reached("wrote", dir.resolve(CheckpointLayout.WEIGHTS));
        if (tokenizerDir == null) {
            return;
        }
        for (String name : CheckpointLayout.TOKENIZER_FILES) {
            Path source = tokenizerDir.resolve(name);
            if (!Files.isRegularFile(source)) {
                continue;
            }
            if (modelMaxLength != null && name.equals(CheckpointLayout.TOKENIZER_CONFIG)) {
                ObjectNode config = (ObjectNode) TrainerStateFile.JSON.readTree(source.toFile()); // checked at start: an object
                config.put("model_max_length", modelMaxLength);
                writeJson(dir.resolve(name), config);
            } else {
                Files.copy(source, dir.resolve(name));
                interruption.reached("wrote", dir.resolve(name));
            }
        }
    }

    /** What torch's LambdaLR state_dict holds that a reader can use: the position and the rates. */
    private ObjectNode schedulerState(TrainerState state) {
        LearningRateSchedule schedule = LearningRateSchedule.of(spec, state.maxSteps);
        ObjectNode json = TrainerStateFile.JSON.createObjectNode();
        json.put("lr_scheduler_type", spec.lrSchedulerType);
        json.put("last_epoch", state.globalStep);
        json.put("_step_count", state.globalStep + 1);
        json.putArray("base_lrs").add(spec.learningRate);
        json.putArray("_last_lr").add(schedule.at(state.globalStep));
        json.put("warmup_steps", schedule.warmupSteps());
        json.put("num_training_steps", state.maxSteps);
        return json;
    }

    private void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, TrainerStateFile.JSON.writeValueAsString(value) + "\n");
        interruption.reached("wrote", file);
    }
}
