package dev.finetune.trainer.model.roberta;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamily;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code model_type: roberta} and {@code xlm-roberta}: one architecture under two names (transformers' XLMRoberta
 * classes are copies of the Roberta ones, base model "roberta." in both), so one family registered twice.
 */
public final class RobertaFamily implements ModelFamily {
    private final String modelType;

    private RobertaFamily(String modelType) {
        this.modelType = modelType;
    }

    public static RobertaFamily roberta() {
        return new RobertaFamily(RobertaConfig.ROBERTA);
    }

    public static RobertaFamily xlmRoberta() {
        return new RobertaFamily(RobertaConfig.XLM_ROBERTA);
    }

    @Override
    public String modelType() {
        return modelType;
    }

    @Override
    public EncoderConfig parseConfig(ObjectNode json, String source) {
        return RobertaConfig.fromJson(json, modelType, source);
    }

    @Override
    public SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager, long seed)
            throws IOException {
        return RobertaForSequenceClassification.fromPretrained(dir, (RobertaConfig) config, manager, seed);
    }

    @Override
    public SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return RobertaForSequenceClassification.fromConfig((RobertaConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return RobertaForTokenClassification.fromPretrained(dir, (RobertaConfig) config, manager, seed);
    }

    @Override
    public TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager, long seed) {
        return RobertaForTokenClassification.fromConfig((RobertaConfig) config, manager, seed);
    }
}
