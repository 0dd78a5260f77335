package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the job's namespace. */
public class SecretKeyRef {
    @Required
    @JsonPropertyDescription("Secret name.")
    public String name;

    @Required
    @JsonPropertyDescription("Key within the Secret.")
    public String key;
}
