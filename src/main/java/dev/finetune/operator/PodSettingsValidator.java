package dev.finetune.operator;

import dev.finetune.api.PodSettings;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks the API server would make of spec.pod when the Job is created (which would fail with a less
 * useful error, after the claim and ConfigMap exist), plus what only the operator knows: the env, labels
 * and annotations it sets itself, which a user's value would break.
 */
final class PodSettingsValidator {
    /** Set by the operator: HF_HOME points the cache at the volume; HF_TOKEN comes from spec.model.tokenSecretRef. */
    static final Set<String> RESERVED_ENV = Set.of("HF_HOME", "HF_TOKEN");
    /** The Job controller's own pod labels: a pod carrying another value would not be the Job's. */
    private static final Set<String> JOB_CONTROLLER_LABELS = Set.of("job-name", "controller-uid",
            "batch.kubernetes.io/job-name", "batch.kubernetes.io/controller-uid");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private PodSettingsValidator() {}

    /** Problems of {@code pod}, each naming its field under {@code field} (spec.pod, or the chart's trainer.podDefaults). */
    static void check(PodSettings pod, String field, List<String> errors) {
        if (pod == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        List<EnvVar> env = pod.env == null ? List.of() : pod.env;
        for (int i = 0; i < env.size(); i++) {
            EnvVar v = env.get(i);
            String at = field + ".env[" + i + "]";
            if (v == null || v.getName() == null || !ENV_NAME.matcher(v.getName()).matches()) {
                errors.add(at + ".name must be a variable name ([-._a-zA-Z][-._a-zA-Z0-9]*), got " + (v == null ? null : v.getName()));
                continue;
            }
            if (RESERVED_ENV.contains(v.getName())) {
                errors.add(at + ".name " + v.getName() + " is set by the operator"
                        + ("HF_TOKEN".equals(v.getName()) ? " (use spec.model.tokenSecretRef)" : ""));
            }
            if (!names.add(v.getName())) {
                errors.add(at + ".name " + v.getName() + " is given twice");
            }
            if (v.getValue() != null && v.getValueFrom() != null) {
                errors.add(at + " has both value and valueFrom");
            }
        }
        List<EnvFromSource> envFrom = pod.envFrom == null ? List.of() : pod.envFrom;
        for (int i = 0; i < envFrom.size(); i++) {
            EnvFromSource s = envFrom.get(i);
            boolean secret = s != null && s.getSecretRef() != null && !ResourceNames.isBlank(s.getSecretRef().getName());
            boolean configMap = s != null && s.getConfigMapRef() != null && !ResourceNames.isBlank(s.getConfigMapRef().getName());
            if (secret == configMap) {
                errors.add(field + ".envFrom[" + i + "] needs exactly one of secretRef.name and configMapRef.name");
            }
        }
        checkMetadata(pod.labels, field + ".labels", true, errors);
        checkMetadata(pod.annotations, field + ".annotations", false, errors);
        List<LocalObjectReference> pullSecrets = pod.imagePullSecrets == null ? List.of() : pod.imagePullSecrets;
        for (int i = 0; i < pullSecrets.size(); i++) {
            if (pullSecrets.get(i) == null || ResourceNames.isBlank(pullSecrets.get(i).getName())) {
                errors.add(field + ".imagePullSecrets[" + i + "].name must not be empty");
            }
        }
        if (!ResourceNames.isBlank(pod.serviceAccountName) && !isDnsSubdomain(pod.serviceAccountName)) {
            errors.add(field + ".serviceAccountName must be a DNS subdomain name (lower case), got " + pod.serviceAccountName);
        }
    }

    private static void checkMetadata(Map<String, String> entries, String field, boolean labels, List<String> errors) {
        if (entries == null) {
            return;
        }
        Set<String> operatorOwn = labels ? operatorLabelKeys() : TrainingJobDependent.prometheusAnnotations().keySet();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            if (!isQualifiedName(key)) {
                errors.add(field + ": key " + key + " must be [prefix/]name (name: 63 characters of [-A-Za-z0-9_.], alphanumeric at both ends)");
            } else if (operatorOwn.contains(key) || (labels && JOB_CONTROLLER_LABELS.contains(key))) {
                errors.add(field + ": " + key + " is set by the " + (operatorOwn.contains(key) ? "operator" : "Job controller"));
            }
            String value = e.getValue() == null ? "" : e.getValue();
            if (labels && !value.isEmpty() && (value.length() > 63 || !NAME_PART.matcher(value).matches())) {
                errors.add(field + "." + key + ": value " + value + " must be at most 63 characters of [-A-Za-z0-9_.], alphanumeric at both ends");
            }
        }
    }

    private static Set<String> operatorLabelKeys() {
        dev.finetune.api.FineTuneJob any = new dev.finetune.api.FineTuneJob();
        any.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("any").build());
        return ResourceNames.labels(any).keySet();
    }

    private static boolean isQualifiedName(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0 && !isDnsSubdomain(key.substring(0, slash))) {
            return false;
        }
        return name.length() <= 63 && NAME_PART.matcher(name).matches();
    }

    private static boolean isDnsSubdomain(String s) {
        return s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
    }
}
