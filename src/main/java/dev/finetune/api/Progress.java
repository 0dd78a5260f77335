package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where training stands; the same shape in the trainer's /progress and in the CR status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Progress {
    @JsonPropertyDescription("Optimiser steps done.")
    public Long step;
    @JsonPropertyDescription("Optimiser steps of the whole run.")
    public Long totalSteps;
    @JsonPropertyDescription("Epochs done, fractional.")
    public Double epoch;
    @JsonPropertyDescription("step / totalSteps in percent.")
    public Double percent;
    @JsonPropertyDescription("Estimated seconds until training ends.")
    public Long etaSeconds;
    @JsonPropertyDescription("Training examples per second.")
    public Double samplesPerSecond;
}
