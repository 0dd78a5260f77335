package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.model.HostCopy;
import dev.finetune.trainer.train.ToyData;
import dev.finetune.trainer.train.Trainer;
import dev.finetune.trainer.train.TrainerCallback;
import dev.finetune.trainer.train.TrainerState;
import dev.finetune.trainer.train.TrainingSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.4: device-to-host copies live in scopes closed at once. The live NDArrays and sub-managers under the
 * model's manager are counted at the start of training and after every save, in a fresh run and in one resumed from
 * its checkpoint: they never grow.
 */
class HostMemoryTest {
    @TempDir
    Path temp;

    /** Live arrays and managers under {@code manager}, itself included. */
    record Live(int arrays, int managers) {}

    static Live live(NDManager manager) {
        return new Live(manager.getManagedArrays().size(), managers(manager));
    }

    private static int managers(NDManager manager) {
        int count = 1;
        for (Object resource : resources(manager).values()) {
            if (resource instanceof NDManager child) {
                count += managers(child);
            }
        }
        return count;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, AutoCloseable> resources(NDManager manager) {
        try {
            Field field = BaseNDManager.class.getDeclaredField("resources");
            field.setAccessible(true);
            return (Map<String, AutoCloseable>) field.get(manager);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("DJL's BaseNDManager changed: " + e, e);
        }
    }

    @Test
    void aHostCopyLeavesNothingAttachedToTheArraysManager() throws Exception {
        // A transposed array is not contiguous: toByteBuffer(true) copies it first, into the array's own manager, as
        // it copies a GPU array to the host. That is the leak the scope prevents.
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = manager.arange(12f).reshape(new Shape(3, 4)).transpose();
            Live before = live(manager);
            array.toByteBuffer(true);
            assertEquals(before.arrays() + 1, live(manager).arrays(), "unscoped, the copy stays with the array's manager");

            Live baseline = live(manager);
            float[] seen = new float[12];
            HostCopy.withBytes(array, bytes -> bytes.asFloatBuffer().get(seen));
            assertEquals(baseline, live(manager));
            assertEquals(4f, seen[1], "column-major of the original: the transpose's row-major bytes");
            assertEquals(NDManager.class.cast(manager), array.getManager(), "the array is back with its manager");
        }
    }

    @Test
    void liveArraysAndManagersStayAtTheirBaselineAcrossSavesAndAResume() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        Path output = temp.resolve("out");
        TrainingSpec first = ToyRun.spec();
        first.maxSteps = 6;
        first.saveSteps = 2;
        Counts fresh = train(output, tokenizer, first);
        assertEquals(3, fresh.atSaves.size(), "saves at 2, 4, 6");
        fresh.atSaves.forEach(at -> assertEquals(fresh.atBegin, at, "after a save: " + fresh));

        TrainingSpec resumed = ToyRun.spec();
        resumed.saveSteps = 2;
        Counts again = train(output, tokenizer, resumed);
        assertTrue(again.resumed);
        assertEquals(fresh.atBegin, again.atBegin, "after the resume, before its first step");
        assertEquals(3, again.atSaves.size(), "saves at 8, 10, 12");
        again.atSaves.forEach(at -> assertEquals(fresh.atBegin, at, "after a save of the resumed run: " + again));
    }

    private static final class Counts {
        Live atBegin;
        final List<Live> atSaves = new ArrayList<>();
        boolean resumed;

        @Override
        public String toString() {
            return "begin " + atBegin + ", saves " + atSaves;
        }
    }

    /** A ToyRun whose model manager is counted when training begins and after each save. */
    private static Counts train(Path output, Path tokenizer, TrainingSpec spec) throws Exception {
        Counts counts = new Counts();
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = TinyBert.model(manager, spec.seed)) {
            CheckpointWriter writer = new CheckpointWriter(output, model, tokenizer, spec, null);
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            try (Trainer trainer = new Trainer(TinyBert.classifier(model), spec, ToyData.train(ToyRun.ROWS, ToyRun.BATCH, spec.seed),
                    ToyData.eval(16, 8)).withOutput(quiet).withProgressBar(false).withCheckpointSaver(writer)) {
                trainer.addCallback(new TrainerCallback() {
                    @Override
                    public void onTrainBegin(TrainerState state) {
                        counts.atBegin = live(manager);
                    }

                    @Override
                    public void onSave(TrainerState state, Path checkpoint) {
                        counts.atSaves.add(live(manager));
                    }
                });
                // The moments are read under the model's manager, as the training job does it.
                Optional<TrainingSnapshot> resume = CheckpointResume.prepare(output, spec, model, trainer.steps(),
                        manager.newSubManager(ai.djl.Device.cpu()));
                counts.resumed = resume.isPresent();
                trainer.train(resume.orElse(null));
            }
        }
        return counts;
    }
}
