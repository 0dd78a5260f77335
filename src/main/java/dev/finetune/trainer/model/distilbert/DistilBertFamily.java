package dev.finetune.trainer.model.distilbert;

import dev.finetune.trainer.model.AbstractModelFamily;

/**
 * {@code model_type: distilbert}: DistilBertConfig, DistilBertForSequenceClassification and
 * DistilBertForTokenClassification.
 */
public final class DistilBertFamily extends AbstractModelFamily<DistilBertConfig> {
    public DistilBertFamily() {
        super(DistilBertConfig.MODEL_TYPE, DistilBertConfig.class, DistilBertConfig::fromJson,
                DistilBertForSequenceClassification::fromPretrained, DistilBertForSequenceClassification::fromConfig,
                DistilBertForTokenClassification::fromPretrained, DistilBertForTokenClassification::fromConfig);
    }
}
