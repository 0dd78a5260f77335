package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/**
 * What happens to the claim the operator made when its FineTuneJob is deleted, after StatefulSet's
 * persistentVolumeClaimRetentionPolicy: the trained model is the product, so the volume is kept unless asked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetentionPolicy {
    public static final String RETAIN = "Retain";
    public static final String DELETE = "Delete";

    @JsonPropertyDescription("Retain: the claim outlives the FineTuneJob (not owned by it; a re-created job of the same name"
            + " finds it again; delete it with kubectl delete pvc). Delete: the claim is owned by the job and garbage-collected with it.")
    @Default(RETAIN)
    @Pattern("^(Retain|Delete)$")
    public String whenDeleted = RETAIN;

    public static boolean deletesClaim(StorageSpec storage) {
        return storage != null && storage.retentionPolicy != null && DELETE.equals(storage.retentionPolicy.whenDeleted);
    }
}
