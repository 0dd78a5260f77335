package dev.finetune.trainer.model.deberta;

import dev.finetune.trainer.model.AbstractModelFamily;

/**
 * {@code model_type: deberta-v2}: DebertaV2Config, DebertaV2ForSequenceClassification and
 * DebertaV2ForTokenClassification.
 */
public final class DebertaV2Family extends AbstractModelFamily<DebertaV2Config> {
    public DebertaV2Family() {
        super(DebertaV2Config.MODEL_TYPE, DebertaV2Config.class, DebertaV2Config::fromJson,
                DebertaV2ForSequenceClassification::fromPretrained, DebertaV2ForSequenceClassification::fromConfig,
                DebertaV2ForTokenClassification::fromPretrained, DebertaV2ForTokenClassification::fromConfig);
    }
}
