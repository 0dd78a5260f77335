package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every family through {@code run} and {@code predict}, as a user would: a tiny random model of the family (its
 * config.json beside the quickstart's tokenizer), two epochs of a small MRPC sample, final/ predicted on.
 */
class ModelFamilyRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"bert", "mpnet", "deberta-v2", "roberta", "xlm-roberta", "electra", "distilbert", "albert"})
    void aTinyRandomModelOfEachFamilyTrainsSavesAndPredicts(String modelType) throws Exception {
        Path manifest = job(modelType);
        Path out = tmp.resolve("out");

        CliRun.Result first = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(first.out().contains("  Total optimization steps = 6"), first.out());
        assertTrue(first.out().contains("'eval_loss': "), first.out());

        Path finalDir = out.resolve("final");
        JsonNode config = JSON.readTree(finalDir.resolve("config.json").toFile());
        assertEquals(modelType, config.get("model_type").asText());
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(finalDir, 2, null, manager, 0)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport(), "final/ loads with no missing or unused keys");
        }

        Path predictions = tmp.resolve("predictions.jsonl");
        CliRun.Result predicted = CliRun.run("predict", "--model", finalDir.toString(), "--data",
                tmp.resolve("data/validation.jsonl").toString(), "--max-length", "48", "--output", predictions.toString());
        assertEquals(0, predicted.code(), predicted.err() + predicted.out());
        assertTrue(predicted.out().contains("'test_loss': "), predicted.out());
        assertEquals(16, Files.readAllLines(predictions).size());

        // Run again: it resumes from the last checkpoint (same family, same architecture) and trains nothing more.
        CliRun.Result second = CliRun.run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, second.code(), second.err() + second.out());
        assertFalse(second.out().contains("'eval_loss': "), second.out());
    }

    @Test
    void anUnsupportedModelTypeExitsTwoNamingTheSupportedOnes() throws Exception {
        Path manifest = job("bert");
        Path config = tmp.resolve("model/config.json");
        Files.writeString(config, Files.readString(config).replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\""));

        CliRun.Result result = CliRun.run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(2, result.code(), result.err());
        assertTrue(result.err().contains(config + ": model_type \"gpt2\" is not supported; supported model types: "
                + String.join(", ", ModelFamilies.supported())), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    /** A FineTuneJob for a tiny random {@code modelType} model: 48 training rows, batch 16, 2 epochs = 6 steps. */
    private Path job(String modelType) throws IOException {
        TinyJobFolder.writeModel(tmp, modelType);

        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        List<String> rows = Files.readAllLines(Path.of("examples/quickstart/data/train.jsonl"));
        Files.write(data.resolve("train.jsonl"), rows.subList(0, 48));
        Files.write(data.resolve("validation.jsonl"), rows.subList(48, 64));

        return TinyJobFolder.writeManifest(tmp, "family-" + modelType, """
                type: SequenceClassification
                numLabels: 2
                textFields: [sentence1, sentence2]
                labelField: label
                maxLength: 48
                """, TinyJobFolder.twoEpochs(16, 1));
    }
}
