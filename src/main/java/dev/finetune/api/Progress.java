package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Where training stands; the same shape in the trainer's /progress and in the CR status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Progress {
    public Long step;
    public Long totalSteps;
    public Double epoch;
    public Double percent;
    public Long etaSeconds;
    public Double samplesPerSecond;
}
