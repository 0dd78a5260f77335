package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Latest training and evaluation figures, named as the Hugging Face Trainer logs them, in camelCase. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingMetrics {
    public Double trainLoss;
    public Double learningRate;
    public Double gradNorm;
    public Double evalLoss;
    public Double evalAccuracy;
    public Double evalF1;
    public Double evalMacroF1;
    public Double evalMatthewsCorrelation;
}
