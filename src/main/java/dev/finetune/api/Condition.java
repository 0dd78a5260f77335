package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A condition in Strimzi's form: lastTransitionTime moves only when status changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public String type;
    /** "True", "False" or "Unknown". */
    public String status;
    /** CamelCase, e.g. InvalidSpec. */
    public String reason;
    public String message;
    public String lastTransitionTime;
    public Long observedGeneration;
}
