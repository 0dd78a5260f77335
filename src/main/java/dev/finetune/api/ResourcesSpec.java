package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/** Resources of the training pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {
    @JsonPropertyDescription("GPUs, requested and limited as nvidia.com/gpu; 0 trains on CPU.")
    @Min(0)
    @Default("1")
    public Integer gpus = 1;

    @JsonPropertyDescription("Requests, e.g. cpu and memory.")
    public Map<String, Quantity> requests = new LinkedHashMap<>();

    @JsonPropertyDescription("Limits, e.g. memory.")
    public Map<String, Quantity> limits = new LinkedHashMap<>();
}
