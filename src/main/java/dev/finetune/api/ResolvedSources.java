package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The commits the job's Hub model and dataset resolved to, recorded by the trainer at the first start in
 * {@code <output>/sources.json} and reported in /progress and the termination message.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResolvedSources {
    @JsonPropertyDescription("spec.model, when it is on the Hub.")
    public ResolvedSource model;
    @JsonPropertyDescription("spec.dataset, when it is on the Hub.")
    public ResolvedSource dataset;
}
