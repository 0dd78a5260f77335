package dev.finetune.trainer.model.distilbert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: distilbert}: DistilBertConfig and DistilBertForSequenceClassification. */
public final class DistilBertFamily implements ModelFamily {
    @Override
    public String modelType() {
        return DistilBertConfig.MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return DistilBertConfig.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return DistilBertForSequenceClassification.fromPretrained(dir, (DistilBertConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return DistilBertForSequenceClassification.fromConfig((DistilBertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return DistilBertForTokenClassification.fromPretrained(dir, (DistilBertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return DistilBertForTokenClassification.fromConfig((DistilBertConfig) config, manager, seed);
    }
}
