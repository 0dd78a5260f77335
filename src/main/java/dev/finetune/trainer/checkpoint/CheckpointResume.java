package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainingSnapshot;
import dev.finetune.trainer.train.TrainingSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a trainer does with its output folder before training: removes what interrupted saves left, then either
 * continues from the newest complete checkpoint (loading its weights into the model and returning the snapshot for
 * {@code Trainer.train}) or, with {@code resumeFromCheckpoint: false}, removes the old checkpoints and starts over.
 */
public final class CheckpointResume {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointResume.class);

    private CheckpointResume() {}

    /**
     * Prepares {@code output} for a run of {@code spec}. When a checkpoint is resumed from, its weights are now in
     * {@code model} and the returned snapshot's optimiser arrays belong to {@code manager}.
     *
     * @param steps the run's step counts ({@code trainer.steps()}), to check that the checkpoint's position fits
     * @throws IncompatibleCheckpointException when the newest checkpoint cannot continue as this job (exit code 2)
     */
    public static Optional<TrainingSnapshot> prepare(Path output, TrainingSpec spec, PretrainedModel model,
            TrainingSteps steps, NDManager manager) throws IOException {
        CheckpointReader.removeTemporaryFolders(output);
        if (Boolean.FALSE.equals(spec.resumeFromCheckpoint)) {
            removeCheckpoints(output);
            return Optional.empty();
        }
        Optional<Path> latest = CheckpointReader.latest(output);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        Path checkpoint = latest.get();
        LOG.info("Resuming training from checkpoint {}", checkpoint);
        List<String> changed = CheckpointCompatibility.check(checkpoint, model.config(), spec, steps);
        if (!changed.isEmpty()) {
            LOG.warn("The job's training settings differ from those {} was trained with: {}", checkpoint, changed);
        }
        CheckpointReader.loadWeights(checkpoint, model);
        TrainingSnapshot snapshot = CheckpointReader.readSnapshot(checkpoint, manager);
        ResumePoint point = snapshot.point();
        LOG.info("  Continuing training from checkpoint, will skip to saved global_step");
        LOG.info("  Continuing training from epoch {}", point.epoch);
        LOG.info("  Continuing training from global step {}", point.globalStep);
        LOG.info("  Will skip the first {} epochs then the first {} batches in the first epoch.", point.epoch,
                point.batchInEpoch);
        return Optional.of(snapshot);
    }

    /** A fresh run owns the folder: checkpoints of an earlier run would mix with its own in saveTotalLimit and resume. */
    private static void removeCheckpoints(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return;
        }
        for (Path old : CheckpointRetention.sortedCheckpoints(output, null)) {
            LOG.info("Deleting {}: spec.training.resumeFromCheckpoint is false, the run starts over", old);
            AtomicFolder.delete(old);
        }
    }
}
