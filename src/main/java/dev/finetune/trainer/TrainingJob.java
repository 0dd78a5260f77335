package dev.finetune.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.DatasetSource;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import dev.finetune.api.TaskRules;
import dev.finetune.trainer.checkpoint.CheckpointReader;
import dev.finetune.trainer.checkpoint.CheckpointResume;
import dev.finetune.trainer.checkpoint.CheckpointWriter;
import dev.finetune.trainer.checkpoint.DiskSpaceCheck;
import dev.finetune.trainer.data.TokenizedCache;
import dev.finetune.trainer.data.TrainingData;
import dev.finetune.trainer.metrics.ProgressReporter;
import dev.finetune.trainer.metrics.TrainingMeters;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.source.DatasetFiles;
import dev.finetune.trainer.source.SourcePins;
import dev.finetune.trainer.source.SourceResolver;
import dev.finetune.trainer.train.EvalBatchSource;
import dev.finetune.trainer.train.StopRequest;
import dev.finetune.trainer.train.TaskObjective;
import dev.finetune.trainer.train.TokenClassificationObjective;
import dev.finetune.trainer.train.TrainResult;
import dev.finetune.trainer.train.Trainer;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FineTuneJob's training, end to end, the same in a pod and on a laptop: fetch the model and data,
 * read and tokenise the data, build the model, resume from the newest complete checkpoint in the output
 * folder if there is one, train with checkpoints, and export final/.
 */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    private final FineTuneJob job;
    private final Path output;
    private final SourceResolver sources;
    private final ProgressReporter progress;
    private final TrainingMeters meters;
    private final List<TrainerCallback> callbacks;
    private final PrintStream out;
    private final boolean progressBar;
    private StopRequest stopRequest = new StopRequest();
    private Device device;

    /**
     * @param output the job's folder: checkpoints and final/ go there
     * @param meters the Prometheus meters, or null
     * @param callbacks listeners besides {@code progress} and {@code meters}
     */
    public TrainingJob(FineTuneJob job, Path output, SourceResolver sources, ProgressReporter progress,
            TrainingMeters meters, List<TrainerCallback> callbacks, PrintStream out, boolean progressBar) {
        this.job = job;
        this.output = output;
        this.sources = sources;
        this.progress = progress;
        this.meters = meters;
        List<TrainerCallback> all = new ArrayList<>(callbacks);
        if (meters != null) {
            all.add(0, meters);
        }
        this.callbacks = List.copyOf(all);
        this.out = out;
        this.progressBar = progressBar;
    }

    /** Made by a termination signal: the loop saves and stops ({@code TrainingStopped}); the final save is held. */
    public TrainingJob withStopRequest(StopRequest request) {
        this.stopRequest = request;
        return this;
    }

    /** Where the model and the batches live ({@link TrainingDevice}); by default the engine's default device. */
    public TrainingJob withDevice(Device device) {
        this.device = device;
        return this;
    }

    public TrainResult run() throws Exception {
        FineTuneJobSpec spec = job.getSpec();
        checkTask(spec);
        // The Hub commits of the first start, so that retries and resumes read the same model and data.
        SourcePins pins = SourcePins.read(output);
        progress.stage("Downloading", "model " + spec.model.uri);
        Path modelDir = sources.resolveModel(spec.model, pins);
        EncoderConfig modelConfig = ModelFolderCheck.check(modelDir, spec.task.maxLength, "spec.task.maxLength");
        keepCheckpointProblemType(spec, modelConfig, modelDir);
        progress.stage("Downloading", "dataset " + spec.dataset.uri);
        DatasetFiles files = sources.resolveDataset(spec.dataset, pins);
        progress.sources(pins.sources());

        progress.stage("Tokenizing", null);
        TrainingData data = TrainingData.load(files.location(), withFormat(spec.dataset, files.format()), spec.task, modelDir,
                ModelFolderCheck.inputs(modelDir, modelConfig), TokenizedCache.forJob(output));

        try (NDManager manager = device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device);
                PretrainedModel model = loadModel(spec, modelDir, manager)) {
            EvalBatchSource eval = data.eval().isEmpty() ? null : LoopAdapters.evalSource(data.evalBatches(spec.training));
            Trainer trainer = new Trainer(LoopAdapters.classifier(model), spec.training, LoopAdapters.trainSource(data.trainBatches(spec.training)), eval)
                    .withOutput(out)
                    .withProgressBar(progressBar)
                    .addCallback(progress)
                    .withStopRequest(stopRequest)
                    .withObjective(objective(spec));
            callbacks.forEach(trainer::addCallback);
            DiskSpaceCheck diskSpace = DiskSpaceCheck.forModel(output, model, modelDir, DiskSpaceCheck.FILE_STORE);
            CheckpointWriter checkpoints = new CheckpointWriter(output, model, modelDir, spec.training, meters)
                    .withDiskSpaceCheck(diskSpace)
                    .withModelMaxLength(spec.task.maxLength);
            trainer.withCheckpointSaver(checkpoints);
            // Read on the host: train() copies the moments into the optimiser and frees these.
            Optional<TrainingSnapshot> resume = CheckpointResume.prepare(output, spec.training, model, trainer.steps(),
                    manager.newSubManager(Device.cpu()));
            diskSpace.warnAtStart(spec.training,
                    DiskSpaceCheck.savePoints(spec.training, trainer.steps().maxSteps(), trainer.steps().numEpochs()));
            resume.ifPresent(snapshot -> reportExistingCheckpoints());
            TrainResult result = trainer.train(resume.orElse(null));

            progress.stage("Saving", "final model");
            Path finalDir;
            try (StopRequest.Hold hold = stopRequest.hold()) {
                finalDir = checkpoints.saveFinal(trainer.state());
            }
            LOG.info("Saved the final model to {}", finalDir);
            return result;
        }
    }

    private void reportExistingCheckpoints() {
        try {
            List<Path> existing = CheckpointReader.completeCheckpoints(output);
            if (!existing.isEmpty()) {
                progress.existingCheckpoints(existing.get(existing.size() - 1).getFileName().toString(), existing.size());
            }
        } catch (IOException e) {
            LOG.warn("Could not list the checkpoints in {}: {}", output, e.getMessage());
        }
    }

    /** Refuses a task spec that does not hold together before anything is fetched (exit code 2). */
    static void checkTask(FineTuneJobSpec spec) {
        List<String> errors = TaskRules.errors(spec.task);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    /**
     * spec.task.problemType unset: the model's config.json problem_type where it fits numLabels, as from_pretrained
     * keeps it (TaskRules); set on the spec so the data, the loss and the saved config all follow it. The operator
     * cannot read the checkpoint, so metricForBestModel is checked again against the resolved type (exit 2).
     */
    static void keepCheckpointProblemType(FineTuneJobSpec spec, EncoderConfig modelConfig, Path modelDir) {
        if (spec.task.problemType != null || TaskRules.isTokenClassification(spec.task)) {
            return;
        }
        String resolved = TaskRules.problemType(spec.task, modelConfig.problemType());
        if (resolved.equals(TaskRules.problemType(spec.task))) {
            return;
        }
        LOG.info("spec.task.problemType is unset: training as {}, the problem_type of {}", resolved,
                modelDir.resolve("config.json"));
        spec.task.problemType = resolved;
        String metricError = spec.training == null ? null : TaskRules.metricError(spec.task, spec.training.metricForBestModel);
        if (metricError != null) {
            throw new IllegalArgumentException(metricError + ": problem_type " + resolved + " comes from "
                    + modelDir.resolve("config.json") + " (set spec.task.problemType to choose another)");
        }
    }

    private static TaskObjective objective(FineTuneJobSpec spec) {
        return TaskRules.isTokenClassification(spec.task) ? new TokenClassificationObjective(spec.task.labelNames)
                : TaskObjective.of(TaskRules.problemType(spec.task), spec.task.numLabels);
    }

    /** The head spec.task.type asks for: AutoModelForTokenClassification or AutoModelForSequenceClassification. */
    private PretrainedModel loadModel(FineTuneJobSpec spec, Path modelDir, NDManager manager) throws Exception {
        long seed = spec.training.seed;
        if (TaskRules.isTokenClassification(spec.task)) {
            if ("random".equals(spec.model.initialization)) {
                LOG.info("Initialising {} with random weights from its config.json (seed {})", modelDir, seed);
                EncoderConfig config = ModelFamilies.readConfig(modelDir.resolve("config.json"))
                        .withLabels(spec.task.numLabels, spec.task.labelNames);
                return ModelFamilies.tokenClassifierFromConfig(config, manager, seed);
            }
            return ModelFamilies.tokenClassifierFromPretrained(modelDir, spec.task.numLabels, spec.task.labelNames, manager, seed);
        }
        String problemType = TaskRules.problemType(spec.task);
        if ("random".equals(spec.model.initialization)) {
            LOG.info("Initialising {} with random weights from its config.json (seed {})", modelDir, seed);
            EncoderConfig config = ModelFamilies.readConfig(modelDir.resolve("config.json"))
                    .withLabels(spec.task.numLabels, spec.task.labelNames).withProblemType(problemType);
            return ModelFamilies.fromConfig(config, manager, seed);
        }
        return ModelFamilies.fromPretrained(modelDir, spec.task.numLabels, spec.task.labelNames, problemType, manager, seed);
    }

    private static DatasetSource withFormat(DatasetSource source, String format) {
        DatasetSource copy = new DatasetSource();
        copy.uri = source.uri;
        copy.config = source.config;
        copy.trainSplit = source.trainSplit;
        copy.evalSplit = source.evalSplit;
        copy.format = format;
        return copy;
    }
}
