package dev.finetune.trainer.model.mpnet;

import dev.finetune.trainer.model.AbstractModelFamily;

/** {@code model_type: mpnet}: MPNetConfig, MPNetForSequenceClassification and MPNetForTokenClassification. */
public final class MPNetFamily extends AbstractModelFamily<MPNetConfig> {
    public MPNetFamily() {
        super(MPNetConfig.MODEL_TYPE, MPNetConfig.class, MPNetConfig::fromJson,
                MPNetForSequenceClassification::fromPretrained, MPNetForSequenceClassification::fromConfig,
                MPNetForTokenClassification::fromPretrained, MPNetForTokenClassification::fromConfig);
    }
}
