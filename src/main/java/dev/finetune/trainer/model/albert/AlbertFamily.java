package dev.finetune.trainer.model.albert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/** {@code model_type: albert}: AlbertConfig and AlbertForSequenceClassification. */
public final class AlbertFamily implements ModelFamily {
    @Override
    public String modelType() {
        return AlbertConfig.MODEL_TYPE;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return AlbertConfig.fromJson(json, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return AlbertForSequenceClassification.fromPretrained(dir, (AlbertConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return AlbertForSequenceClassification.fromConfig((AlbertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return AlbertForTokenClassification.fromPretrained(dir, (AlbertConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return AlbertForTokenClassification.fromConfig((AlbertConfig) config, manager, seed);
    }
}
