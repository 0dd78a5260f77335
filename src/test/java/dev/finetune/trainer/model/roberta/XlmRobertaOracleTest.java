package dev.finetune.trainer.model.roberta;

/** XLM-RoBERTa (RoBERTa's classes under model_type xlm-roberta) against transformers on hf-oracle/xlm-roberta. */
class XlmRobertaOracleTest extends RobertaOracleTest {
    @Override
    protected String caseName() {
        return "xlm-roberta";
    }
}
