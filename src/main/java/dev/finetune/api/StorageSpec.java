package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Quantity;

/** The volume mounted at /workspace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @JsonPropertyDescription("An existing PersistentVolumeClaim; empty: the operator makes one (see retentionPolicy).")
    public String claimName;

    @JsonPropertyDescription("Size of the claim the operator makes.")
    @Default("20Gi")
    public Quantity size = new Quantity("20Gi");

    @JsonPropertyDescription("Storage class of the claim the operator makes; empty takes the cluster default.")
    public String storageClassName;

    @JsonPropertyDescription("What deleting the FineTuneJob does to the claim the operator made (never to one named by claimName).")
    public RetentionPolicy retentionPolicy = new RetentionPolicy();
}
