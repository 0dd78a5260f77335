package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.trainer.data.TinyRobertaTokenizer;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.WeightLoadReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

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

        Result first = run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, first.code, first.err + first.out);
        assertTrue(first.out.contains("  Total optimization steps = 6"), first.out);
        assertTrue(first.out.contains("'eval_loss': "), first.out);

        Path finalDir = out.resolve("final");
        JsonNode config = JSON.readTree(finalDir.resolve("config.json").toFile());
        assertEquals(modelType, config.get("model_type").asText());
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(finalDir, 2, null, manager, 0)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport(), "final/ loads with no missing or unused keys");
        }

        Path predictions = tmp.resolve("predictions.jsonl");
        Result predicted = run("predict", "--model", finalDir.toString(), "--data",
                tmp.resolve("data/validation.jsonl").toString(), "--max-length", "48", "--output", predictions.toString());
        assertEquals(0, predicted.code, predicted.err + predicted.out);
        assertTrue(predicted.out.contains("'test_loss': "), predicted.out);
        assertEquals(16, Files.readAllLines(predictions).size());

        // Run again: it resumes from the last checkpoint (same family, same architecture) and trains nothing more.
        Result second = run("run", manifest.toString(), "--output", out.toString(), "--no-progress-bar");
        assertEquals(0, second.code, second.err + second.out);
        assertFalse(second.out.contains("'eval_loss': "), second.out);
    }

    @Test
    void anUnsupportedModelTypeExitsTwoNamingTheSupportedOnes() throws Exception {
        Path manifest = job("bert");
        Path config = tmp.resolve("model/config.json");
        Files.writeString(config, Files.readString(config).replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\""));

        Result result = run("run", manifest.toString(), "--output", tmp.resolve("out").toString(), "--no-progress-bar");

        assertEquals(2, result.code, result.err);
        assertTrue(result.err.contains(config + ": model_type \"gpt2\" is not supported; supported model types: "
                + String.join(", ", ModelFamilies.supported())), result.err);
        assertFalse(result.err.contains("\tat "), "no stack trace: " + result.err);
    }

    /** A FineTuneJob for a tiny random {@code modelType} model: 48 training rows, batch 16, 2 epochs = 6 steps. */
    private Path job(String modelType) throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        if (modelType.contains("roberta")) {
            TinyRobertaTokenizer.write(model); // byte-level BPE with RoBERTa's <s> A </s></s> B </s>, pad 1
        } else {
            for (String file : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")) {
                Files.copy(Path.of("examples/quickstart/model").resolve(file), model.resolve(file));
            }
        }
        String family = switch (modelType) {
            case "bert" -> "\"type_vocab_size\": 2, \"pad_token_id\": 0";
            case "mpnet" -> "\"relative_attention_num_buckets\": 32, \"pad_token_id\": 1";
            case "deberta-v2" -> "\"relative_attention\": true, \"position_buckets\": 16, \"pos_att_type\": [\"p2c\", \"c2p\"],"
                    + " \"share_att_key\": true, \"norm_rel_ebd\": \"layer_norm\", \"position_biased_input\": false,"
                    + " \"type_vocab_size\": 0, \"pad_token_id\": 0";
            case "roberta", "xlm-roberta" -> "\"type_vocab_size\": 1, \"pad_token_id\": 1";
            case "electra" -> "\"embedding_size\": 16, \"type_vocab_size\": 2, \"pad_token_id\": 0";
            case "distilbert" -> "\"hidden_dim\": 64, \"pad_token_id\": 0";
            case "albert" -> "\"embedding_size\": 16, \"type_vocab_size\": 2, \"pad_token_id\": 0";
            default -> throw new IllegalArgumentException(modelType);
        };
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"" + modelType + "\", \"vocab_size\": 4096,"
                + " \"hidden_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"intermediate_size\": 64,"
                + " \"max_position_embeddings\": 64, " + family + "}\n");

        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        List<String> rows = Files.readAllLines(Path.of("examples/quickstart/data/train.jsonl"));
        Files.write(data.resolve("train.jsonl"), rows.subList(0, 48));
        Files.write(data.resolve("validation.jsonl"), rows.subList(48, 64));

        Path manifest = tmp.resolve("job.yaml");
        Files.writeString(manifest, """
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: family-%s
                spec:
                  model:
                    uri: model
                    initialization: random
                  dataset:
                    uri: data
                    trainSplit: train
                    evalSplit: validation
                  task:
                    type: SequenceClassification
                    numLabels: 2
                    textFields: [sentence1, sentence2]
                    labelField: label
                    maxLength: 48
                  training:
                    numTrainEpochs: 2
                    perDeviceTrainBatchSize: 16
                    perDeviceEvalBatchSize: 16
                    learningRate: 1.0e-3
                    evalStrategy: epoch
                    saveStrategy: epoch
                    saveTotalLimit: 1
                    loggingSteps: 2
                    seed: 42
                  resources:
                    gpus: 0
                """.formatted(modelType));
        return manifest;
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        // The trainer's errors are logged to System.err; picocli's own go to its err writer.
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            code = cli.execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err + log.toString(StandardCharsets.UTF_8));
    }
}
