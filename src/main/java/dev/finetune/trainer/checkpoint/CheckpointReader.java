package dev.finetune.trainer.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and reads checkpoints in an output folder. Only complete checkpoints are ever chosen: every required file
 * present, the JSON files parse, the safetensors files are not truncated and all of them agree on the step.
 * Anything else is skipped with a warning, so the previous checkpoint is used instead.
 */
public final class CheckpointReader {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

    private CheckpointReader() {}

    /** The newest complete checkpoint folder of {@code output}, if any. */
    public static Optional<Path> latest(Path output) throws IOException {
        List<Path> complete = completeCheckpoints(output);
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(complete.size() - 1));
    }

    /** The complete {@code checkpoint-<step>} folders of {@code output}, oldest first; incomplete ones are logged. */
    public static List<Path> completeCheckpoints(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        List<Path> candidates;
        try (Stream<Path> list = Files.list(output)) {
            candidates = list.filter(Files::isDirectory)
                    .filter(p -> CheckpointLayout.stepOf(p).isPresent())
                    .sorted(Comparator.comparingLong(p -> CheckpointLayout.stepOf(p).getAsLong()))
                    .collect(Collectors.toList());
        }
        List<Path> complete = new ArrayList<>();
        for (Path folder : candidates) {
            Optional<String> problem = problem(folder);
            if (problem.isPresent()) {
                LOG.warn("Skipping checkpoint {}: {}", folder, problem.get());
            } else {
                complete.add(folder);
            }
        }
        return complete;
    }

    /** Removes the {@code tmp-} folders a killed save or delete left in {@code output}; returns how many. */
    public static int removeTemporaryFolders(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return 0;
        }
        List<Path> stray;
        try (Stream<Path> list = Files.list(output)) {
            stray = list.filter(Files::isDirectory).filter(CheckpointLayout::isTemporary).collect(Collectors.toList());
        }
        for (Path folder : stray) {
            LOG.info("Removing {}, left by an interrupted save", folder);
            AtomicFolder.deleteTree(folder);
        }
        return stray.size();
    }

    /** Why {@code folder} cannot be resumed from, or empty when it is complete. */
    static Optional<String> problem(Path folder) {
        long step = CheckpointLayout.stepOf(folder).orElse(-1);
        for (String name : CheckpointLayout.REQUIRED_FILES) {
            Path file = folder.resolve(name);
            try {
                if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                    return Optional.of("missing or empty " + name);
                }
            } catch (IOException e) {
                return Optional.of("cannot read " + name + ": " + e.getMessage());
            }
        }
        try {
            for (String name : List.of(CheckpointLayout.WEIGHTS, CheckpointLayout.OPTIMIZER)) {
                SafetensorsReader.open(folder.resolve(name)).close(); // checks the header and the data length
            }
            TrainerState state = TrainerStateFile.read(folder.resolve(CheckpointLayout.TRAINER_STATE));
            ResumePoint point = readResumePoint(folder);
            long optimizerStep = OptimizerStateFile.step(folder.resolve(CheckpointLayout.OPTIMIZER));
            TrainerStateFile.JSON.readTree(folder.resolve(CheckpointLayout.SCHEDULER).toFile());
            TrainerStateFile.JSON.readTree(folder.resolve(CheckpointLayout.TRAINING_ARGS).toFile());
            TrainerStateFile.JSON.readTree(folder.resolve(CheckpointLayout.CONFIG).toFile());
            if (state.globalStep != step || point.globalStep != step || optimizerStep != step) {
                return Optional.of("the folder name says step " + step + " but trainer_state.json says "
                        + state.globalStep + ", rng_state.json " + point.globalStep + ", optimizer.safetensors " + optimizerStep);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage() != null ? e.getMessage() : e.toString());
        }
        return Optional.empty();
    }

    /**
     * What {@code Trainer.train} needs to continue from {@code checkpoint}: trainer_state.json, the position in
     * rng_state.json and the optimiser moments, read into arrays that {@code manager} owns (close it after training).
     */
    public static TrainingSnapshot readSnapshot(Path checkpoint, NDManager manager) throws IOException {
        TrainerState state = TrainerStateFile.read(checkpoint.resolve(CheckpointLayout.TRAINER_STATE));
        ResumePoint point = readResumePoint(checkpoint);
        Map<String, NDArray> moments = OptimizerStateFile.read(checkpoint.resolve(CheckpointLayout.OPTIMIZER), manager);
        return new TrainingSnapshot(state, point, moments);
    }

    /** rng_state.json: the seed and the data position. */
    public static ResumePoint readResumePoint(Path checkpoint) throws IOException {
        return TrainerStateFile.JSON.readValue(checkpoint.resolve(CheckpointLayout.RNG_STATE).toFile(), ResumePoint.class);
    }

    /** trainer_state.json of a checkpoint. */
    public static TrainerState readTrainerState(Path checkpoint) throws IOException {
        return TrainerStateFile.read(checkpoint.resolve(CheckpointLayout.TRAINER_STATE));
    }

    /**
     * Copies the weights of {@code folder}'s model.safetensors into {@code model}'s parameters, in place. Unlike
     * from_pretrained nothing is initialised or ignored: a missing, unexpected or differently shaped tensor is an
     * {@link IncompatibleCheckpointException} naming it.
     */
    public static void loadWeights(Path folder, PretrainedModel model) throws IOException {
        Path file = folder.resolve(CheckpointLayout.WEIGHTS);
        Map<String, NDArray> parameters = model.namedParameters();
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            TreeSet<String> missing = new TreeSet<>(parameters.keySet());
            missing.removeAll(reader.names());
            TreeSet<String> unexpected = new TreeSet<>(reader.names());
            unexpected.removeAll(parameters.keySet());
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IncompatibleCheckpointException(file + " does not fit the model: missing " + missing
                        + ", unexpected " + unexpected);
            }
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray parameter = e.getValue();
                SafetensorsReader.TensorInfo info = reader.info(e.getKey());
                if (!info.shape().equals(parameter.getShape())) {
                    throw new IncompatibleCheckpointException(file + ": " + e.getKey() + " has shape " + info.shape()
                            + ", the model's has " + parameter.getShape());
                }
            }
            // Read on the CPU, copied into the (GPU) parameters in place. Not set(Buffer): DJL's JNI runs that under
            // libtorch's deprecated AutoNonVariableTypeMode, which prints a five-line warning on every resume.
            try (NDManager scratch = parameters.values().iterator().next().getManager().newSubManager(Device.cpu())) {
                for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                    NDArray parameter = e.getValue();
                    parameter.muli(0f).addi(reader.read(e.getKey(), scratch).toDevice(parameter.getDevice(), false));
                }
            }
        }
    }
}
