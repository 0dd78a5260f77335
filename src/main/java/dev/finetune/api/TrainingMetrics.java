package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Latest training and evaluation figures, named as the Hugging Face Trainer logs them, in camelCase. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingMetrics {
    @JsonPropertyDescription("Latest logged training loss (loss).")
    public Double trainLoss;
    @JsonPropertyDescription("Current learning rate (learning_rate).")
    public Double learningRate;
    @JsonPropertyDescription("Latest global L2 norm of the gradients (grad_norm).")
    public Double gradNorm;
    @JsonPropertyDescription("Latest evaluation loss (eval_loss).")
    public Double evalLoss;
    @JsonPropertyDescription("Latest evaluation accuracy (eval_accuracy; subset accuracy for multi-label, over the tagged"
            + " words for token classification).")
    public Double evalAccuracy;
    @JsonPropertyDescription("Latest evaluation F1 (eval_f1): of the positive class for two labels, micro-averaged for"
            + " multi-label, entity-level (seqeval) for token classification.")
    public Double evalF1;
    @JsonPropertyDescription("Latest evaluation macro-averaged F1 (eval_macro_f1).")
    public Double evalMacroF1;
    @JsonPropertyDescription("Latest evaluation Matthews correlation (eval_matthews_correlation).")
    public Double evalMatthewsCorrelation;
    @JsonPropertyDescription("Latest evaluation Pearson correlation of a regression (eval_pearson).")
    public Double evalPearson;
    @JsonPropertyDescription("Latest evaluation Spearman rank correlation of a regression (eval_spearmanr).")
    public Double evalSpearmanr;
    @JsonPropertyDescription("Latest evaluation entity-level precision of a token classification, as seqeval (eval_precision).")
    public Double evalPrecision;
    @JsonPropertyDescription("Latest evaluation entity-level recall of a token classification, as seqeval (eval_recall).")
    public Double evalRecall;
}
