package dev.finetune.trainer.model.albert;

import dev.finetune.trainer.model.AbstractModelFamily;

/** {@code model_type: albert}: AlbertConfig, AlbertForSequenceClassification and AlbertForTokenClassification. */
public final class AlbertFamily extends AbstractModelFamily<AlbertConfig> {
    public AlbertFamily() {
        super(AlbertConfig.MODEL_TYPE, AlbertConfig.class, AlbertConfig::fromJson,
                AlbertForSequenceClassification::fromPretrained, AlbertForSequenceClassification::fromConfig,
                AlbertForTokenClassification::fromPretrained, AlbertForTokenClassification::fromConfig);
    }
}
