package dev.finetune.trainer.model.roberta;

import dev.finetune.trainer.model.AbstractModelFamily;

/**
 * {@code model_type: roberta} and {@code xlm-roberta}: one architecture under two names (transformers' XLMRoberta
 * classes are copies of the Roberta ones, base model "roberta." in both), so one family registered twice.
 */
public final class RobertaFamily extends AbstractModelFamily<RobertaConfig> {
    private RobertaFamily(String modelType) {
        super(modelType, RobertaConfig.class, (json, source) -> RobertaConfig.fromJson(json, modelType, source),
                RobertaForSequenceClassification::fromPretrained, RobertaForSequenceClassification::fromConfig,
                RobertaForTokenClassification::fromPretrained, RobertaForTokenClassification::fromConfig);
    }

    public static RobertaFamily roberta() {
        return new RobertaFamily(RobertaConfig.ROBERTA);
    }

    public static RobertaFamily xlmRoberta() {
        return new RobertaFamily(RobertaConfig.XLM_ROBERTA);
    }
}
