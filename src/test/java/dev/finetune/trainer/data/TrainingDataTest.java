package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import dev.finetune.api.TrainingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on the quickstart assets, which ship with the repository. */
class TrainingDataTest {
    @TempDir
    Path dir;

    static DatasetSource source() {
        DatasetSource source = new DatasetSource();
        source.evalSplit = "validation";
        return source;
    }

    @Test
    void loadsBothSplitsOfTheQuickstart() throws Exception {
        TrainingData data = TrainingData.load(QuickstartAssetsTest.QUICKSTART.resolve("data"), source(),
                QuickstartAssetsTest.task(), QuickstartAssetsTest.MODEL);
        assertEquals(600, data.train().size());
        assertEquals(150, data.eval().size());
        assertEquals(0, data.padTokenId());
        TrainingSpec training = new TrainingSpec();
        TrainBatches train = data.trainBatches(training);
        assertEquals(75, train.batchesPerEpoch());
        assertEquals(19, data.evalBatches(training).batchCount());
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = train.batch(0, 0, manager);
            assertEquals(8, batch.size());
            assertTrue(batch.inputIds().getShape().get(1) <= 128);
        }
    }

    @Test
    void aBadEvalRowFailsBeforeTraining() throws Exception {
        Files.copy(QuickstartAssetsTest.QUICKSTART.resolve("data/train.jsonl"), dir.resolve("train.jsonl"));
        Files.writeString(dir.resolve("validation.csv"), "sentence1,sentence2,label\na,b,1\nc,d,2\n");
        DataException e = assertThrows(DataException.class, () -> TrainingData.load(dir, source(),
                QuickstartAssetsTest.task(), QuickstartAssetsTest.MODEL));
        assertEquals(dir.resolve("validation.csv") + ":3: field 'label': 2 is out of range [0, 2)", e.getMessage());
    }
}
