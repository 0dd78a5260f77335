package dev.finetune.cli;

import dev.finetune.trainer.data.TinyRobertaTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The folder a CLI test trains in, as a user lays it out: model/ (a tiny random model of a family: 2 layers of 32,
 * its tokenizer beside its config.json) and job.yaml (a FineTuneJob on model/ and data/, splits train and validation).
 */
final class TinyJobFolder {
    private TinyJobFolder() {}

    /**
     * {@code dir}/model with a tiny random {@code modelType}'s config.json and a tokenizer it reads: byte-level BPE
     * (RoBERTa's {@code <s> A </s></s> B </s>}, pad 1) for the RoBERTa families, the quickstart's WordPiece otherwise.
     */
    static Path writeModel(Path dir, String modelType) throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        if (modelType.contains("roberta")) {
            TinyRobertaTokenizer.write(model);
        } else {
            copyQuickstartTokenizer(model);
        }
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"" + modelType + "\", \"vocab_size\": 4096,"
                + " \"hidden_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"intermediate_size\": 64,"
                + " \"max_position_embeddings\": 64, " + familyFields(modelType) + "}\n");
        return model;
    }

    /** The quickstart model's WordPiece tokenizer files, into {@code model}. */
    static void copyQuickstartTokenizer(Path model) throws IOException {
        for (String file : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")) {
            Files.copy(Path.of("examples/quickstart/model").resolve(file), model.resolve(file));
        }
    }

    /** The config.json fields the family's own layers need (embedding sizes, relative positions, its pad id). */
    private static String familyFields(String modelType) {
        return switch (modelType) {
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
    }

    /**
     * The tiny jobs' training block: 2 epochs of batch 16 (6 steps on 48 rows), learning rate 1e-3, an evaluation and a
     * checkpoint every epoch, a log line every 2 steps, seed 42.
     */
    static String twoEpochs(int perDeviceEvalBatchSize, int saveTotalLimit) {
        return """
                numTrainEpochs: 2
                perDeviceTrainBatchSize: 16
                perDeviceEvalBatchSize: %d
                learningRate: 1.0e-3
                evalStrategy: epoch
                saveStrategy: epoch
                saveTotalLimit: %d
                loggingSteps: 2
                seed: 42
                """.formatted(perDeviceEvalBatchSize, saveTotalLimit);
    }

    /**
     * {@code dir}/job.yaml: a FineTuneJob named {@code name} training model/ from random weights on data/'s train split,
     * evaluating on validation, on the CPU; {@code task} and {@code training} are the blocks' fields, one a line.
     */
    static Path writeManifest(Path dir, String name, String task, String training) throws IOException {
        return writeManifest(dir, name, """
                uri: model
                initialization: random
                """, """
                uri: data
                trainSplit: train
                evalSplit: validation
                """, task, training);
    }

    /** {@code dir}/job.yaml: a FineTuneJob named {@code name} on the CPU with these spec blocks' fields, one a line. */
    static Path writeManifest(Path dir, String name, String model, String dataset, String task, String training) throws IOException {
        Path manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, """
                apiVersion: finetune.dev/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %s
                spec:
                  model:
                %s  dataset:
                %s  task:
                %s  training:
                %s  resources:
                    gpus: 0
                """.formatted(name, model.indent(4), dataset.indent(4), task.indent(4), training.indent(4)));
        return manifest;
    }
}
