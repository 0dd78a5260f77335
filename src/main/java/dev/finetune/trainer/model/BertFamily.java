package dev.finetune.trainer.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: bert}: BertConfig, BertForSequenceClassification and BertForTokenClassification. */
final class BertFamily implements ModelFamily {
    static final String MODEL_TYPE = "bert";

    @Override
    public String modelType() {
        return MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return BertConfig.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return BertForSequenceClassification.fromPretrained(dir, (BertConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return BertForSequenceClassification.fromConfig((BertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return BertForTokenClassification.fromPretrained(dir, (BertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return BertForTokenClassification.fromConfig((BertConfig) config, manager, seed);
    }
}
