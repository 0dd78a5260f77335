package dev.finetune.trainer.model.deberta;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: deberta-v2}: DebertaV2Config and DebertaV2ForSequenceClassification. */
public final class DebertaV2Family implements ModelFamily {
    @Override
    public String modelType() {
        return DebertaV2Config.MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return DebertaV2Config.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return DebertaV2ForSequenceClassification.fromPretrained(dir, (DebertaV2Config) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return DebertaV2ForSequenceClassification.fromConfig((DebertaV2Config) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return DebertaV2ForTokenClassification.fromPretrained(dir, (DebertaV2Config) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return DebertaV2ForTokenClassification.fromConfig((DebertaV2Config) config, manager, seed);
    }
}
