package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.LoopAdapters;
import dev.finetune.trainer.model.BertConfig;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.train.SequenceClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A few-thousand-parameter BERT for fast checkpoint tests, the loop's view of it, and a fake tokenizer folder. */
final class TinyBert {
    static final int VOCAB = 50;

    private TinyBert() {}

    static BertConfig config(int numLabels, int hiddenSize) {
        return BertConfig.parse("{\"vocab_size\": " + VOCAB + ", \"hidden_size\": " + hiddenSize
                + ", \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 32,"
                + " \"max_position_embeddings\": 32, \"hidden_dropout_prob\": 0.1, \"attention_probs_dropout_prob\": 0.1,"
                + " \"num_labels\": " + numLabels + "}", "tiny config");
    }

    static BertForSequenceClassification model(NDManager manager, long seed) {
        return BertForSequenceClassification.fromConfig(config(2, 16), manager, seed);
    }

    /** A tiny model of {@code modelType}'s family of the same size as {@link #model(NDManager, long)}, through the registry. */
    static SequenceClassificationModel model(NDManager manager, long seed, String modelType) {
        return model(manager, seed, modelType, "single_label_classification");
    }

    /** As above for {@code problemType}: one output for a regression, two labels otherwise. */
    static SequenceClassificationModel model(NDManager manager, long seed, String modelType, String problemType) {
        String extra = switch (modelType) {
            case "bert" -> "";
            case "mpnet" -> ", \"relative_attention_num_buckets\": 32";
            case "deberta-v2" -> ", \"relative_attention\": true, \"position_buckets\": 8, \"pos_att_type\": [\"p2c\", \"c2p\"],"
                    + " \"share_att_key\": true, \"norm_rel_ebd\": \"layer_norm\", \"type_vocab_size\": 0,"
                    + " \"position_biased_input\": false";
            default -> throw new IllegalArgumentException("no tiny config for " + modelType);
        };
        String config = "{\"model_type\": \"" + modelType + "\", \"vocab_size\": " + VOCAB + ", \"hidden_size\": 16,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 32,"
                + " \"max_position_embeddings\": 32, \"num_labels\": " + ("regression".equals(problemType) ? 1 : 2)
                + ("regression".equals(problemType) ? ", \"problem_type\": \"regression\"" : "") + extra + "}";
        return ModelFamilies.fromConfig(ModelFamilies.parseConfig(config, "tiny " + modelType + " config"), manager, seed);
    }

    /** The loop's interface over the model, as the CLI builds it. */
    static SequenceClassifier classifier(SequenceClassificationModel model) {
        return LoopAdapters.classifier(model);
    }

    /** A model folder's tokenizer files (their content is copied, never parsed, by the checkpoint writer). */
    static Path tokenizerDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}\n");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"[PAD]\"}\n");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}\n");
        return dir;
    }
}
