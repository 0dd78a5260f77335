package dev.finetune.trainer.model.mpnet;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: mpnet}: MPNetConfig and MPNetForSequenceClassification. */
public final class MPNetFamily implements ModelFamily {
    @Override
    public String modelType() {
        return MPNetConfig.MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return MPNetConfig.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return MPNetForSequenceClassification.fromPretrained(dir, (MPNetConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return MPNetForSequenceClassification.fromConfig((MPNetConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return MPNetForTokenClassification.fromPretrained(dir, (MPNetConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return MPNetForTokenClassification.fromConfig((MPNetConfig) config, manager, seed);
    }
}
