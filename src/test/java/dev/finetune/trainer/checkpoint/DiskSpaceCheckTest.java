package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.train.ResumePoint;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save that cannot fit stops before writing, with the sizes; the start warns when the kept checkpoints cannot fit. */
class DiskSpaceCheckTest {
    @TempDir
    Path tmp;

    private NDManager manager;
    private BertForSequenceClassification model;
    private Map<String, NDArray> moments;
    private Path output;
    private Path tokenizer;
    /** What the simulated volume has free. */
    private final AtomicLong free = new AtomicLong(Long.MAX_VALUE);

    @BeforeEach
    void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        model = BertForSequenceClassification.fromConfig(TinyBert.config(2, 64), manager, 1);
        moments = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            moments.put(name + ".exp_avg", manager.zeros(p.getShape()));
            moments.put(name + ".exp_avg_sq", manager.zeros(p.getShape()));
        });
        output = tmp.resolve("workspace/job");
        tokenizer = TinyBert.tokenizerDir(tmp.resolve("model"));
    }

    @AfterEach
    void tearDown() {
        model.close();
        manager.close();
    }

    private DiskSpaceCheck check() throws IOException {
        return DiskSpaceCheck.forModel(output, model, tokenizer, folder -> free.get());
    }

    private static TrainingSpec spec(Integer saveTotalLimit) {
        TrainingSpec spec = SaveLoop.spec();
        spec.saveTotalLimit = saveTotalLimit;
        return spec;
    }

    private static TrainingSnapshot snapshot(long step, Map<String, NDArray> moments) {
        TrainerState state = new TrainerState();
        state.globalStep = step;
        state.maxSteps = 1000;
        ResumePoint point = new ResumePoint();
        point.globalStep = step;
        point.seed = 7;
        return new TrainingSnapshot(state, point, moments);
    }

    @Test
    void theEstimateFromTheParametersIsTheSizeOfARealCheckpoint() throws IOException {
        long estimate = check().checkpointBytes();
        new CheckpointWriter(output, model, tokenizer, spec(null), null).save(snapshot(1, moments));

        long measured = sizeOf(CheckpointLayout.checkpointFolder(output, 1));
        // weights + two moments + tokenizer files are exact; the rest is JSON and headers, under the 1 MiB allowance
        assertTrue(measured <= estimate && measured >= estimate - DiskSpaceCheck.SMALL_FILES,
                "estimate " + estimate + ", checkpoint on disk " + measured);
    }

    @Test
    void aFullVolumeStopsTheSaveBeforeWritingWithTheSizes() throws IOException {
        TrainingSpec spec = spec(3);
        CheckpointWriter writer = new CheckpointWriter(output, model, tokenizer, spec, null).withDiskSpaceCheck(check());
        writer.save(snapshot(500, moments));
        long checkpoint = sizeOf(CheckpointLayout.checkpointFolder(output, 500));
        free.set(checkpoint / 2); // the volume fills up (the Hub cache, another job on the claim, ...)

        StorageException full = assertThrows(StorageException.class, () -> writer.save(snapshot(1000, moments)));

        assertEquals("checkpoint-1000 needs " + DiskSpaceCheck.size(check().checkpointBytes()) + ", " + output.toAbsolutePath()
                + " has " + DiskSpaceCheck.size(checkpoint / 2) + " free; raise spec.storage.size or lower"
                + " spec.training.saveTotalLimit (now 3) (each checkpoint takes " + DiskSpaceCheck.size(check().checkpointBytes()) + ")",
                full.getMessage());
        try (Stream<Path> left = Files.list(output)) {
            assertEquals(List.of("checkpoint-500"), left.map(p -> p.getFileName().toString()).toList(),
                    "nothing half-written, the older checkpoint kept");
        }

        StorageException finalFull = assertThrows(StorageException.class, () -> writer.saveFinal(snapshot(1000, moments).state()));
        assertTrue(finalFull.getMessage().startsWith("final/ needs "), finalFull.getMessage());
        assertFalse(Files.exists(output.resolve("final")));

        free.set(Long.MAX_VALUE);
        writer.save(snapshot(1000, moments)); // room again: the same writer saves
        assertTrue(Files.isDirectory(CheckpointLayout.checkpointFolder(output, 1000)));
    }

    @Test
    void theStartWarnsWhenTheKeptCheckpointsCannotFit() throws IOException {
        DiskSpaceCheck check = check();
        long each = check.checkpointBytes();
        free.set(5 * each);

        // unset saveTotalLimit keeps all 10: they cannot fit in 5 checkpoints' room
        Optional<String> all = check.warnAtStart(spec(null), 10);
        assertTrue(all.isPresent());
        assertTrue(all.get().startsWith("The 10 checkpoints this run keeps (" + DiskSpaceCheck.size(each) + " each) and final/ need "),
                all.get());
        assertTrue(all.get().endsWith("set spec.training.saveTotalLimit (unset keeps every checkpoint)"), all.get());
        // 3 kept + the one written before rotation + final/ fit in 5
        assertEquals(Optional.empty(), check.warnAtStart(spec(3), 10));
        // 4 kept + 1 in rotation + final/ do not
        assertTrue(check.warnAtStart(spec(4), 10).get().contains("lower spec.training.saveTotalLimit (now 4)"));
        // a resumed run counts the checkpoints it already holds as its own room
        new CheckpointWriter(output, model, tokenizer, spec(null), null).save(snapshot(1, moments));
        long present = sizeOf(CheckpointLayout.checkpointFolder(output, 1));
        long needed = 4 * each + check.finalBytes();
        free.set(needed - present);
        assertEquals(Optional.empty(), check.warnAtStart(spec(3), 10));
        free.set(needed - present - 1);
        assertTrue(check.warnAtStart(spec(3), 10).get().contains("besides the " + DiskSpaceCheck.size(present) + " it holds"));
    }

    @Test
    void savePointsCountAsTheLoopSaves() {
        TrainingSpec spec = spec(null);
        spec.saveStrategy = "steps";
        spec.saveSteps = 500;
        assertEquals(3, DiskSpaceCheck.savePoints(spec, 1377, 3), "500, 1000 and the last step");
        assertEquals(2, DiskSpaceCheck.savePoints(spec, 1000, 3));
        spec.saveStrategy = "epoch";
        assertEquals(3, DiskSpaceCheck.savePoints(spec, 1377, 3));
        spec.saveStrategy = "no";
        assertEquals(0, DiskSpaceCheck.savePoints(spec, 1377, 3));
    }

    private static long sizeOf(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            long total = 0;
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }
}
