package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.train.ToyData;
import dev.finetune.trainer.train.TrainingSnapshot;
import dev.finetune.trainer.train.TrainingSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout of a checkpoint, the choice of the one to resume from, incompatible jobs, and early stopping. */
class CheckpointResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path tokenizer;
    private Path output;

    @BeforeEach
    void straightRun() throws IOException {
        tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        output = temp.resolve("output");
        ToyRun.run(output, tokenizer, ToyRun.spec(), null); // checkpoint-6, checkpoint-12, final
    }

    @Test
    void aCheckpointHoldsTheHuggingFaceFilesAndTheResumeState() throws IOException {
        Path checkpoint = output.resolve("checkpoint-6");
        for (String name : CheckpointLayout.REQUIRED_FILES) {
            assertTrue(Files.size(checkpoint.resolve(name)) > 0, name);
        }
        for (String name : CheckpointLayout.TOKENIZER_FILES) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(name)), name);
        }
        JsonNode state = JSON.readTree(checkpoint.resolve("trainer_state.json").toFile());
        for (String key : List.of("global_step", "epoch", "log_history", "best_metric", "best_model_checkpoint",
                "max_steps", "num_train_epochs", "train_batch_size", "logging_steps", "eval_steps", "save_steps",
                "total_flos", "is_hyper_param_search", "stateful_callbacks")) {
            assertTrue(state.has(key), "trainer_state.json lacks " + key);
        }
        assertEquals(6, state.get("global_step").asInt());
        assertEquals(12, state.get("max_steps").asInt());
        assertEquals(0.6, state.get("epoch").asDouble(), 1e-12);
        // Only keys transformers' TrainerState(**json) accepts at the top (its dataclass fields, transformers 4.5x).
        Set<String> transformersFields = Set.of("epoch", "global_step", "max_steps", "logging_steps", "eval_steps",
                "save_steps", "train_batch_size", "num_train_epochs", "num_input_tokens_seen", "total_flos", "log_history",
                "best_metric", "best_global_step", "best_model_checkpoint", "is_local_process_zero",
                "is_world_process_zero", "is_hyper_param_search", "trial_name", "trial_params", "stateful_callbacks");
        state.fieldNames().forEachRemaining(key -> assertTrue(transformersFields.contains(key), key));
        assertEquals(checkpoint.toString(), state.get("best_model_checkpoint").asText()); // step 6's eval_loss is lower

        JsonNode rng = JSON.readTree(checkpoint.resolve("rng_state.json").toFile());
        assertEquals(42, rng.get("seed").asInt());
        assertEquals(0, rng.get("epoch").asInt());
        assertEquals(6, rng.get("batch_in_epoch").asInt());
        JsonNode scheduler = JSON.readTree(checkpoint.resolve("scheduler.json").toFile());
        assertEquals(6, scheduler.get("last_epoch").asInt());
        assertEquals(2e-3 * 6 / 10, scheduler.get("_last_lr").get(0).asDouble(), 1e-12); // linear decay after 2 warm-up steps
        assertEquals(4, JSON.readTree(checkpoint.resolve("training_args.json").toFile()).get("perDeviceTrainBatchSize").asInt());

        Set<String> expected = new HashSet<>();
        try (SafetensorsReader weights = SafetensorsReader.open(checkpoint.resolve("model.safetensors"))) {
            for (String name : weights.names()) {
                expected.add("exp_avg." + name);
                expected.add("exp_avg_sq." + name);
            }
        }
        try (SafetensorsReader optimizer = SafetensorsReader.open(checkpoint.resolve("optimizer.safetensors"))) {
            assertEquals(expected, optimizer.names());
            assertEquals("6", optimizer.metadata().get("step"));
        }
    }

    private Optional<TrainingSnapshot> prepare(TrainingSpec spec, BertConfig config) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(config, manager, 1)) {
            TrainingSteps steps = TrainingSteps.of(spec, ToyData.train(ToyRun.ROWS, spec.perDeviceTrainBatchSize, spec.seed)
                    .batchesPerEpoch());
            return CheckpointResume.prepare(output, spec, model, steps, manager);
        }
    }

    @Test
    void resumesFromTheNewestCompleteCheckpointAndRemovesStrayTemporaryFolders() throws IOException {
        Files.createDirectories(output.resolve("tmp-checkpoint-18-5f3a/half-written"));
        Files.delete(output.resolve("checkpoint-12/optimizer.safetensors")); // as if damaged by hand
        Optional<TrainingSnapshot> snapshot = prepare(ToyRun.spec(), TinyBert.config(2, 16));
        assertEquals(6, snapshot.orElseThrow().point().globalStep);
        assertFalse(Files.exists(output.resolve("tmp-checkpoint-18-5f3a")));
    }

    @Test
    void anotherNumberOfLabelsOrModelShapeIsAClearError() {
        IncompatibleCheckpointException labels = assertThrows(IncompatibleCheckpointException.class,
                () -> prepare(ToyRun.spec(), TinyBert.config(3, 16)));
        assertTrue(labels.getMessage().contains("num_labels = 2, the job's spec.task.numLabels is 3"), labels.getMessage());
        assertTrue(labels.getMessage().contains(output.resolve("checkpoint-12").toString()), labels.getMessage());
        assertEquals(2, labels.exitCode());
        IncompatibleCheckpointException shape = assertThrows(IncompatibleCheckpointException.class,
                () -> prepare(ToyRun.spec(), TinyBert.config(2, 32)));
        assertTrue(shape.getMessage().contains("hidden_size = 16, the job's model (spec.model) has 32"), shape.getMessage());
    }

    @Test
    void anotherBatchSizeOrSeedIsAClearErrorAnotherLearningRateIsNot() throws IOException {
        TrainingSpec batch = ToyRun.spec();
        batch.perDeviceTrainBatchSize = 8;
        IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
                () -> prepare(batch, TinyBert.config(2, 16)));
        assertTrue(e.getMessage().contains("spec.training.perDeviceTrainBatchSize = 4, the job now says 8"), e.getMessage());
        TrainingSpec seed = ToyRun.spec();
        seed.seed = 43L;
        assertThrows(IncompatibleCheckpointException.class, () -> prepare(seed, TinyBert.config(2, 16)));

        TrainingSpec longer = ToyRun.spec();
        longer.learningRate = 1e-3;
        longer.maxSteps = 20;
        assertEquals(12, prepare(longer, TinyBert.config(2, 16)).orElseThrow().point().globalStep);
    }

    @Test
    void resumeFromCheckpointFalseStartsOverAndRemovesTheOldCheckpoints() throws IOException {
        TrainingSpec spec = ToyRun.spec();
        spec.resumeFromCheckpoint = false;
        assertEquals(Optional.empty(), prepare(spec, TinyBert.config(2, 16)));
        try (Stream<Path> left = Files.list(output)) {
            assertEquals(List.of(output.resolve("final")), left.toList());
        }
        assertEquals(Optional.empty(), prepare(ToyRun.spec(), TinyBert.config(2, 16)));
    }

    @Test
    void theEarlyStoppingCounterSurvivesAResume() throws IOException {
        TrainingSpec spec = ToyRun.spec();
        spec.evalSteps = 1;
        spec.saveSteps = 1;
        spec.saveTotalLimit = null;
        spec.earlyStoppingPatience = 2;
        spec.earlyStoppingThreshold = 1.0; // no evaluation beats the first by 1.0: stop at the third
        Path straight = temp.resolve("early");
        ToyRun.Result result = ToyRun.run(straight, null, spec, null);
        assertTrue(result.stoppedEarly());
        assertEquals(3, result.state().globalStep);
        JsonNode state = JSON.readTree(straight.resolve("checkpoint-2/trainer_state.json").toFile());
        assertEquals(1, state.at("/stateful_callbacks/EarlyStoppingCallback/attributes/early_stopping_patience_counter").asInt());
        assertEquals(2, state.at("/stateful_callbacks/EarlyStoppingCallback/args/early_stopping_patience").asInt());

        // Resumed from step 2 (one evaluation without improvement so far), it must stop at 3 as well, not at 4.
        Path resumedOutput = temp.resolve("early-resumed");
        copy(straight.resolve("checkpoint-2"), resumedOutput.resolve("checkpoint-2"));
        ToyRun.Result resumed = ToyRun.run(resumedOutput, null, spec, null);
        assertTrue(resumed.resumed());
        assertTrue(resumed.stoppedEarly());
        assertEquals(3, resumed.state().globalStep);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
