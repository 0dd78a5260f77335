package dev.finetune.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.TaskSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws URISyntaxException {
        return Path.of(DatasetReaderTest.class.getResource("/data/" + name).toURI());
    }

    static TaskSpec pairTask() {
        return new TaskSpec(); // sentence1, sentence2, label, 2 labels
    }

    Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** The message of the DataException that reading {@code file} as a pair task throws. */
    static String error(Path file, TaskSpec task) {
        DataException e = assertThrows(DataException.class, () -> DatasetReader.read(file, "auto", task));
        assertEquals(2, e.exitCode());
        return e.getMessage();
    }

    @Test
    void jsonlCsvAndTsvOfTheSameRowsGiveTheSameExamples() throws Exception {
        List<Example> jsonl = DatasetReader.read(resource("mrpc-sample.jsonl"), "auto", pairTask());
        List<Example> csv = DatasetReader.read(resource("mrpc-sample.csv"), "auto", pairTask());
        List<Example> tsv = DatasetReader.read(resource("mrpc-sample.tsv"), "auto", pairTask());
        assertEquals(6, jsonl.size());
        for (int i = 0; i < jsonl.size(); i++) {
            assertEquals(jsonl.get(i).texts(), csv.get(i).texts(), "csv row " + i);
            assertEquals(jsonl.get(i).texts(), tsv.get(i).texts(), "tsv row " + i);
            assertEquals(jsonl.get(i).label(), csv.get(i).label());
            assertEquals(jsonl.get(i).label(), tsv.get(i).label());
            // Data starts on line 1 in JSONL and on line 2 (after the header) in CSV/TSV.
            assertEquals(i + 1, jsonl.get(i).line());
            assertEquals(i + 2, csv.get(i).line());
            assertEquals(i + 2, tsv.get(i).line());
        }
        Example first = jsonl.get(0);
        assertTrue(first.texts().get(0).startsWith("Amrozi accused his brother , whom he called \" the witness \""));
        assertEquals(1, first.label());
        assertEquals(0, jsonl.get(1).label());
    }

    @Test
    void formatComesFromTheSpecWhenTheExtensionSaysNothing() throws Exception {
        Path file = write("rows.txt", "sentence1\tsentence2\tlabel\na\tb\t1\n");
        List<Example> rows = DatasetReader.read(file, "tsv", pairTask());
        assertEquals(List.of("a", "b"), rows.get(0).texts());
        assertTrue(error(file, pairTask()).contains("cannot tell the format from the extension '.txt'"));
    }

    @Test
    void stringLabelsAreMappedThroughLabelNames() throws Exception {
        TaskSpec task = pairTask();
        task.labelNames = List.of("not_equivalent", "equivalent");
        Path file = write("train.csv", "sentence1,sentence2,label\na,b,equivalent\nc,d,not_equivalent\ne,f,1\n");
        List<Example> rows = DatasetReader.read(file, "auto", task);
        assertEquals(List.of(1, 0, 1), rows.stream().map(Example::label).toList());

        Path bad = write("bad.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":\"equivalent\"}\n"
                + "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":\"paraphrase\"}\n");
        assertEquals(bad + ":2: field 'label': 'paraphrase' is neither an integer nor a label name of "
                + "spec.task.labelNames [not_equivalent, equivalent]", error(bad, task));
    }

    @Test
    void singleTextTasksReadOneColumn() throws Exception {
        TaskSpec task = new TaskSpec();
        task.textFields = List.of("sentence");
        task.numLabels = 3;
        Path file = write("sst.jsonl", "{\"sentence\":\"fine\",\"label\":2}\n\n{\"sentence\":\"bad\",\"label\":0}\n");
        List<Example> rows = DatasetReader.read(file, (String) null, task);
        assertEquals(2, rows.size());
        assertEquals(List.of("fine"), rows.get(0).texts());
        assertEquals(3, rows.get(1).line(), "blank lines are skipped but still counted");
    }

    @Test
    void predictionReadsFilesWithoutLabels() throws Exception {
        Path file = write("test.csv", "sentence1,sentence2\na,b\nc,d\n");
        List<Example> rows = DatasetReader.readForPrediction(file, "auto", pairTask());
        assertEquals(List.of(Example.NO_LABEL, Example.NO_LABEL), rows.stream().map(Example::label).toList());
        // ... but the same file cannot be trained on.
        assertEquals(file + ":1: field 'label': no such column in the header (columns: sentence1, sentence2)",
                error(file, pairTask()));
        // A label that is there is still checked.
        Path labelled = write("test.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\"}\n"
                + "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":7}\n");
        DataException e = assertThrows(DataException.class,
                () -> DatasetReader.readForPrediction(labelled, "auto", pairTask()));
        assertEquals(labelled + ":2: field 'label': 7 is out of range [0, 2)", e.getMessage());
    }

    @Test
    void missingFileNamesTheFile() {
        Path file = dir.resolve("data/train.jsonl");
        assertEquals(file + ": no such file", error(file, pairTask()));
    }

    @Test
    void missingJsonFieldNamesLineAndField() throws Exception {
        Path file = write("train.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1}\n"
                + "{\"sentence1\":\"a\",\"label\":1}\n");
        assertEquals(file + ":2: field 'sentence2': missing from this row", error(file, pairTask()));
    }

    @Test
    void missingCsvColumnNamesTheHeader() throws Exception {
        Path file = write("train.csv", "sentence1,sentence_2,label\na,b,1\n");
        assertEquals(file + ":1: field 'sentence2': no such column in the header (columns: sentence1, sentence_2, label)",
                error(file, pairTask()));
    }

    @Test
    void shortCsvRowNamesTheMissingCell() throws Exception {
        Path file = write("train.csv", "sentence1,sentence2,label\na,b,1\nc,d\n");
        assertTrue(error(file, pairTask()).startsWith(file + ":3: field 'label': missing"));
    }

    @Test
    void emptyOrBlankTextNamesLineAndField() throws Exception {
        Path csv = write("train.csv", "sentence1,sentence2,label\na,b,1\nc,\"  \",0\n");
        assertEquals(csv + ":3: field 'sentence2': empty text", error(csv, pairTask()));
        Path jsonl = write("train.jsonl", "{\"sentence1\":\"\",\"sentence2\":\"b\",\"label\":1}\n");
        assertEquals(jsonl + ":1: field 'sentence1': empty text", error(jsonl, pairTask()));
        Path nul = write("null.jsonl", "{\"sentence1\":null,\"sentence2\":\"b\",\"label\":1}\n");
        assertEquals(nul + ":1: field 'sentence1': is null", error(nul, pairTask()));
    }

    @Test
    void malformedLinesNameTheLine() throws Exception {
        Path jsonl = write("train.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1}\n"
                + "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1\n");
        assertTrue(error(jsonl, pairTask()).startsWith(jsonl + ":2: malformed JSON"), error(jsonl, pairTask()));
        Path array = write("array.jsonl", "[1, 2]\n");
        assertEquals(array + ":1: expected a JSON object, found an array", error(array, pairTask()));
        Path nested = write("nested.jsonl", "{\"sentence1\":{\"x\":1},\"sentence2\":\"b\",\"label\":1}\n");
        assertEquals(nested + ":1: field 'sentence1': expected a text or a number, found an object",
                error(nested, pairTask()));
        Path csv = write("train.csv", "sentence1,sentence2,label\na,b,1\n\"c,d,0\n");
        assertTrue(error(csv, pairTask()).startsWith(csv + ":3: malformed CSV row"), error(csv, pairTask()));
        Path extra = write("extra.csv", "sentence1,sentence2,label\na,b,1\nc,d,0,surplus\n");
        assertTrue(error(extra, pairTask()).startsWith(extra + ":3: malformed CSV row"), error(extra, pairTask()));
    }

    @Test
    void badLabelsNameLineAndField() throws Exception {
        Path range = write("train.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1}\n".repeat(16)
                + "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":5}\n");
        assertEquals(range + ":17: field 'label': 5 is out of range [0, 2)", error(range, pairTask()));
        Path negative = write("neg.tsv", "sentence1\tsentence2\tlabel\na\tb\t-1\n");
        assertEquals(negative + ":2: field 'label': -1 is out of range [0, 2)", error(negative, pairTask()));
        Path fraction = write("frac.jsonl", "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":0.5}\n");
        assertEquals(fraction + ":1: field 'label': '0.5' is neither an integer nor a label name "
                + "(spec.task.labelNames is empty)", error(fraction, pairTask()));
        Path empty = write("empty.csv", "sentence1,sentence2,label\na,b,\n");
        assertEquals(empty + ":2: field 'label': empty label", error(empty, pairTask()));
    }

    @Test
    void aFileWithoutRowsIsAnError() throws Exception {
        Path csv = write("train.csv", "sentence1,sentence2,label\n");
        assertEquals(csv + ": holds no rows", error(csv, pairTask()));
        Path jsonl = write("train.jsonl", "\n\n");
        assertEquals(jsonl + ": holds no rows", error(jsonl, pairTask()));
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Path csv = write("bom.csv", "\uFEFFsentence1,sentence2,label\na,b,1\n");
        assertEquals(List.of("a", "b"), DatasetReader.read(csv, "auto", pairTask()).get(0).texts());
        Path jsonl = write("bom.jsonl", "\uFEFF{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1}\n");
        assertEquals(1, DatasetReader.read(jsonl, "auto", pairTask()).get(0).label());
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        Path file = dir.resolve("latin1.jsonl");
        byte[] good = "{\"sentence1\":\"a\",\"sentence2\":\"b\",\"label\":1}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"sentence1\":\"caf\u00e9\",\"sentence2\":\"b\",\"label\":1}\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[good.length + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        Files.write(file, all);
        assertEquals(file + ":2: not valid UTF-8 text", error(file, pairTask()));
    }

    @Test
    void unsupportedFormatsAreNamed() throws Exception {
        Path file = write("train.parquet", "PAR1");
        assertTrue(error(file, pairTask()).contains("format 'parquet' is not supported yet"));
        TaskSpec three = pairTask();
        three.textFields = List.of("a", "b", "c");
        Path ok = write("ok.jsonl", "{}\n");
        assertTrue(error(ok, three).startsWith("spec.task.textFields must name 1 or 2 columns"));
    }

    private static TaskSpec task(String problemType, int numLabels, List<String> labelNames) {
        TaskSpec task = new TaskSpec();
        task.textFields = List.of("text");
        task.problemType = problemType;
        task.numLabels = numLabels;
        task.labelNames = labelNames;
        return task;
    }

    @Test
    void multiLabelSetsAreReadFromJsonListsAndDelimitedCells() throws Exception {
        TaskSpec task = task("multi_label_classification", 3, List.of("sports", "politics", "health"));
        List<float[]> expected = List.of(new float[] {1, 0, 1}, new float[] {0, 1, 0}, new float[] {0, 0, 0});
        Path jsonl = write("train.jsonl", "{\"text\": \"a\", \"label\": [\"sports\", \"health\"]}\n"
                + "{\"text\": \"b\", \"label\": [1]}\n{\"text\": \"c\", \"label\": []}\n");
        // CSV cells: names or ids separated by commas, semicolons or spaces; a JSON list in a cell works too.
        Path csv = write("train.csv", "text,label\na,\"sports,health\"\nb,politics\nc,[]\n");
        Path tsv = write("train.tsv", "text\tlabel\na\t0;2\nb\t1\nc\t[]\n");
        for (Path file : List.of(jsonl, csv, tsv)) {
            List<Example> rows = DatasetReader.read(file, "auto", task);
            assertEquals(3, rows.size(), file.toString());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected.get(i), rows.get(i).targets(), file + " row " + i);
                assertEquals(Example.NO_LABEL, rows.get(i).label());
            }
        }
        Path twice = write("twice.jsonl", "{\"text\": \"a\", \"label\": [\"sports\", 0]}\n");
        assertArrayEquals(new float[] {1, 0, 0}, DatasetReader.read(twice, "auto", task).get(0).targets(), "a set: named twice is once");
    }

    @Test
    void regressionTargetsAreNumbersOrListsOfNumLabelsNumbers() throws Exception {
        TaskSpec score = task(null, 1, null); // numLabels 1: a regression, as transformers infers it
        Path jsonl = write("stsb.jsonl", "{\"text\": \"a\", \"label\": 4.25}\n{\"text\": \"b\", \"label\": 0}\n"
                + "{\"text\": \"c\", \"label\": \"-1.5e-1\"}\n");
        Path csv = write("stsb.csv", "text,label\na,4.25\nb,0\nc,-1.5e-1\n");
        for (Path file : List.of(jsonl, csv)) {
            List<Example> rows = DatasetReader.read(file, "auto", score);
            assertArrayEquals(new float[] {4.25f}, rows.get(0).targets(), file.toString());
            assertArrayEquals(new float[] {0f}, rows.get(1).targets(), file.toString());
            assertArrayEquals(new float[] {-0.15f}, rows.get(2).targets(), file.toString());
        }
        TaskSpec two = task("regression", 2, null);
        Path lists = write("two.jsonl", "{\"text\": \"a\", \"label\": [1.5, -2]}\n");
        assertArrayEquals(new float[] {1.5f, -2f}, DatasetReader.read(lists, "auto", two).get(0).targets());
        Path cell = write("two.csv", "text,label\na,\"[1.5, -2]\"\n");
        assertArrayEquals(new float[] {1.5f, -2f}, DatasetReader.read(cell, "auto", two).get(0).targets());
        Path one = write("one.csv", "text,label\na,0.5\n");
        assertEquals(one + ":2: field 'label': 1 values where spec.task.numLabels is 2", error(one, two));
    }
}
