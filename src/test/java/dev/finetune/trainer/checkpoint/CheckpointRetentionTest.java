package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** saveTotalLimit keeps the newest and the best, with transformers' rotation rule (its test_checkpoint_rotation). */
class CheckpointRetentionTest {
    @TempDir
    Path temp;

    private List<Long> keptAfterRotation(Integer limit, Long best) throws IOException {
        Path output = Files.createTempDirectory(temp, "rotation");
        for (long step : List.of(5L, 10L, 15L, 20L, 25L)) {
            Files.createDirectories(CheckpointLayout.checkpointFolder(output, step));
        }
        String bestCheckpoint = best == null ? null : CheckpointLayout.checkpointFolder(output, best).toString();
        new CheckpointRetention(limit).rotate(output, bestCheckpoint);
        return steps(output);
    }

    @Test
    void keepsTheNewestAndTheBestAsTransformersDoes() throws IOException {
        assertEquals(List.of(5L, 10L, 15L, 20L, 25L), keptAfterRotation(null, null));
        assertEquals(List.of(20L, 25L), keptAfterRotation(2, null));
        assertEquals(List.of(5L, 25L), keptAfterRotation(2, 5L));
        assertEquals(List.of(5L, 20L, 25L), keptAfterRotation(3, 5L));
        assertEquals(List.of(15L, 20L, 25L), keptAfterRotation(3, 15L));
        // A limit of 1 still keeps the newest (to resume) beside an older best.
        assertEquals(List.of(25L), keptAfterRotation(1, 25L));
        assertEquals(List.of(5L, 25L), keptAfterRotation(1, 5L));
    }

    @Test
    void aTrainingRunKeepsItsBestCheckpointAndTheNewest() throws IOException {
        TrainingSpec spec = ToyRun.spec();
        spec.saveSteps = 3; // a save at each evaluation, so that each evaluation's checkpoint can be the best
        spec.saveTotalLimit = 2;
        Path output = temp.resolve("run");
        ToyRun.Result result = ToyRun.run(output, null, spec, null);
        Long best = result.state().bestGlobalStep;
        assertEquals(CheckpointLayout.checkpointFolder(output, best).toString(), result.state().bestModelCheckpoint);
        List<Long> expected = best == 12L ? List.of(9L, 12L) : List.of(best, 12L);
        assertEquals(expected, steps(output));
        assertEquals(result.state().bestModelCheckpoint,
                CheckpointReader.readTrainerState(CheckpointLayout.checkpointFolder(output, 12)).bestModelCheckpoint);
        assertTrue(Files.isDirectory(output.resolve("final")));
    }

    private static List<Long> steps(Path output) throws IOException {
        try (Stream<Path> list = Files.list(output)) {
            return list.map(CheckpointLayout::stepOf).filter(s -> s.isPresent()).map(s -> s.getAsLong()).sorted().toList();
        }
    }
}
