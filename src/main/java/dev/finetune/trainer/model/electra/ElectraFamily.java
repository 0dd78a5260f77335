package dev.finetune.trainer.model.electra;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: electra}: ElectraConfig and ElectraForSequenceClassification. */
public final class ElectraFamily implements ModelFamily {
    @Override
    public String modelType() {
        return ElectraConfig.MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return ElectraConfig.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return ElectraForSequenceClassification.fromPretrained(dir, (ElectraConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return ElectraForSequenceClassification.fromConfig((ElectraConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return ElectraForTokenClassification.fromPretrained(dir, (ElectraConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return ElectraForTokenClassification.fromConfig((ElectraConfig) config, manager, seed);
    }
}
