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
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    public List<Toleration> tolerations = new ArrayList<>();

    public String priorityClassName;

    @JsonPropertyDescription("Kueue LocalQueue; set as the kueue.x-k8s.io/queue-name label of the Job.")
    public String queueName;
}
