package dev.finetune.trainer.model.electra;

import dev.finetune.trainer.model.AbstractModelFamily;

/** {@code model_type: electra}: ElectraConfig, ElectraForSequenceClassification and ElectraForTokenClassification. */
public final class ElectraFamily extends AbstractModelFamily<ElectraConfig> {
    public ElectraFamily() {
        super(ElectraConfig.MODEL_TYPE, ElectraConfig.class, ElectraConfig::fromJson,
                ElectraForSequenceClassification::fromPretrained, ElectraForSequenceClassification::fromConfig,
                ElectraForTokenClassification::fromPretrained, ElectraForTokenClassification::fromConfig);
    }
}
