package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cluster needs of the training pod beyond training: env for a Hub mirror, a proxy or JVM options,
 * labels and annotations (e.g. sidecar.istio.io/inject), pull secrets, a ServiceAccount, affinity. The
 * same shape is the chart's trainer.podDefaults, under which a job's own settings are merged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodSettings {
    @JsonPropertyDescription("Environment variables of the trainer container (core/v1 EnvVar: value, or valueFrom a Secret,"
            + " ConfigMap or field), e.g. HF_ENDPOINT, HTTPS_PROXY, JAVA_TOOL_OPTIONS. HF_HOME and HF_TOKEN are the operator's"
            + " (use spec.model.tokenSecretRef for the token).")
    public List<EnvVar> env = new ArrayList<>();

    @JsonPropertyDescription("Whole Secrets or ConfigMaps as environment variables of the trainer container (core/v1 EnvFromSource).")
    public List<EnvFromSource> envFrom = new ArrayList<>();

    @JsonPropertyDescription("Labels of the training pod; the operator's own (app.kubernetes.io/name, app.kubernetes.io/managed-by,"
            + " finetune.dev/job) and the Job controller's cannot be set.")
    public Map<String, String> labels = new LinkedHashMap<>();

    @JsonPropertyDescription("Annotations of the training pod, e.g. sidecar.istio.io/inject: \"false\" so that a sidecar does not keep the Job from completing.")
    public Map<String, String> annotations = new LinkedHashMap<>();

    @JsonPropertyDescription("Secrets with the registry credentials for the trainer image.")
    public List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

    @JsonPropertyDescription("ServiceAccount of the training pod, e.g. for cloud workload identity; empty takes the namespace's"
            + " default. No API token is mounted either way: the trainer never calls the Kubernetes API.")
    public String serviceAccountName;

    @JsonPropertyDescription("Node and pod affinity of the training pod (core/v1 Affinity).")
    public Affinity affinity;
}
