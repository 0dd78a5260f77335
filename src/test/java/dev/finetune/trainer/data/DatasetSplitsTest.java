package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.DatasetSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSplitsTest {
    @TempDir
    Path dir;

    static DatasetSource source(String evalSplit, String format) {
        DatasetSource source = new DatasetSource();
        source.evalSplit = evalSplit;
        source.format = format;
        return source;
    }

    @Test
    void aFolderHoldsOneFilePerSplit() throws Exception {
        Files.writeString(dir.resolve("train.jsonl"), "{}\n");
        Files.writeString(dir.resolve("validation.csv"), "a\n");
        DatasetSource source = source("validation", "auto");
        assertEquals(dir.resolve("train.jsonl"), DatasetSplits.trainFile(dir, source));
        assertEquals(Optional.of(dir.resolve("validation.csv")), DatasetSplits.evalFile(dir, source));
        assertEquals(Optional.empty(), DatasetSplits.evalFile(dir, source(null, "auto")));
    }

    @Test
    void aSingleFileIsTheTrainSplit() throws Exception {
        Path file = Files.writeString(dir.resolve("pairs.tsv"), "a\n");
        assertEquals(file, DatasetSplits.trainFile(file, source(null, "auto")));
        DataException e = assertThrows(DataException.class, () -> DatasetSplits.evalFile(file, source("validation", "auto")));
        assertTrue(e.getMessage().contains("spec.dataset.evalSplit 'validation': a single file holds only the train split"));
    }

    @Test
    void aMissingSplitListsWhatTheFolderHolds() throws Exception {
        Files.writeString(dir.resolve("train.jsonl"), "{}\n");
        DataException e = assertThrows(DataException.class, () -> DatasetSplits.evalFile(dir, source("test", "auto")));
        assertEquals(dir + ": spec.dataset.evalSplit 'test': no file test.jsonl, test.json, test.csv or test.tsv (found: train.jsonl)",
                e.getMessage());
        assertThrows(DataException.class, () -> DatasetSplits.trainFile(dir.resolve("nowhere"), source(null, "auto")));
    }

    @Test
    void aJsonLinesTrainJsonIsTheTrainSplitAsTheMessageSays() throws Exception {
        Files.writeString(dir.resolve("train.json"), "{}\n");
        assertEquals(dir.resolve("train.json"), DatasetSplits.trainFile(dir, source(null, "auto")));
        assertEquals(dir.resolve("train.json"), DatasetSplits.trainFile(dir, source(null, "jsonl")));
    }

    @Test
    void twoFilesForOneSplitNeedTheFormat() throws Exception {
        Files.writeString(dir.resolve("train.jsonl"), "{}\n");
        Files.writeString(dir.resolve("train.csv"), "a\n");
        DataException e = assertThrows(DataException.class, () -> DatasetSplits.trainFile(dir, source(null, "auto")));
        assertTrue(e.getMessage().contains("several files match [train.jsonl, train.csv]"), e.getMessage());
        assertEquals(dir.resolve("train.csv"), DatasetSplits.trainFile(dir, source(null, "csv")));
    }
}
