package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the training pod may run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingSpec {
    @JsonPropertyDescription("Node labels the training pod must match (the pod's nodeSelector).")
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Tolerations of the training pod (core/v1 Toleration: key, operator, value, effect, tolerationSeconds), e.g. for GPU node taints.")
    public List<Toleration> tolerations = new ArrayList<>();

    @JsonPropertyDescription("PriorityClass of the training pod; empty takes the cluster default.")
    public String priorityClassName;

    @JsonPropertyDescription("Kueue LocalQueue; set as the kueue.x-k8s.io/queue-name label of the Job.")
    public String queueName;
}
