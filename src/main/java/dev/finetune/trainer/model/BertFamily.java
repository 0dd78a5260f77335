package dev.finetune.trainer.model;

/** {@code model_type: bert}: BertConfig, BertForSequenceClassification and BertForTokenClassification. */
final class BertFamily extends AbstractModelFamily<BertConfig> {
    static final String MODEL_TYPE = "bert";

    BertFamily() {
        super(MODEL_TYPE, BertConfig.class, BertConfig::fromJson,
                BertForSequenceClassification::fromPretrained, BertForSequenceClassification::fromConfig,
                BertForTokenClassification::fromPretrained, BertForTokenClassification::fromConfig);
    }
}
