package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.PodSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The user's pod settings on the training Job: the operator's defaults (trainer.podDefaults) first, the job's
 * spec.pod over them (the job wins per env name, label and annotation key; lists add up), and the operator's own
 * labels, env and security settings last, which the validator keeps the user from naming.
 */
public final class PodTemplateSettings {
    private PodTemplateSettings() {}

    /** Applies the merged settings and spec.activeDeadlineSeconds to {@code job}, built for {@code ftj}; returns it. */
    public static Job apply(Job job, FineTuneJob ftj, PodSettings defaults) {
        PodSettings merged = merge(defaults, ftj.getSpec().pod);
        job.getSpec().setActiveDeadlineSeconds(ftj.getSpec().activeDeadlineSeconds);
        PodTemplateSpec template = job.getSpec().getTemplate();
        template.getMetadata().setLabels(under(merged.labels, template.getMetadata().getLabels()));
        template.getMetadata().setAnnotations(under(merged.annotations, template.getMetadata().getAnnotations()));
        PodSpec pod = template.getSpec();
        pod.setImagePullSecrets(merged.imagePullSecrets.isEmpty() ? null : merged.imagePullSecrets);
        pod.setServiceAccountName(ResourceNames.isBlank(merged.serviceAccountName) ? null : merged.serviceAccountName);
        pod.setAffinity(merged.affinity);
        for (Container container : pod.getContainers()) {
            if (ResourceNames.TRAINER_CONTAINER.equals(container.getName())) {
                // The operator's variables (HF_HOME, HF_TOKEN, OMP_NUM_THREADS from the CPU limit) stay as they are.
                container.setEnv(withEnv(merged.env, container.getEnv()));
                container.setEnvFrom(merged.envFrom.isEmpty() ? null : merged.envFrom);
            }
        }
        return job;
    }

    /** The job's settings over the defaults. */
    static PodSettings merge(PodSettings defaults, PodSettings job) {
        PodSettings d = defaults == null ? new PodSettings() : defaults;
        PodSettings j = job == null ? new PodSettings() : job;
        PodSettings merged = new PodSettings();
        merged.env = withEnv(orEmpty(d.env), orEmpty(j.env));
        merged.envFrom = new ArrayList<>(orEmpty(d.envFrom));
        merged.envFrom.addAll(orEmpty(j.envFrom)); // in a container, a later envFrom wins
        merged.labels = under(orEmpty(d.labels), orEmpty(j.labels));
        merged.annotations = under(orEmpty(d.annotations), orEmpty(j.annotations));
        LinkedHashSet<LocalObjectReference> pullSecrets = new LinkedHashSet<>(orEmpty(d.imagePullSecrets));
        pullSecrets.addAll(orEmpty(j.imagePullSecrets));
        merged.imagePullSecrets = new ArrayList<>(pullSecrets);
        merged.serviceAccountName = ResourceNames.isBlank(j.serviceAccountName) ? d.serviceAccountName : j.serviceAccountName;
        merged.affinity = j.affinity != null ? j.affinity : d.affinity;
        return merged;
    }

    /** {@code base} with {@code over} put on top; null when empty, as the API server leaves it. */
    private static Map<String, String> under(Map<String, String> base, Map<String, String> over) {
        Map<String, String> out = new LinkedHashMap<>(base == null ? Map.of() : base);
        if (over != null) {
            out.putAll(over);
        }
        return out.isEmpty() ? null : out;
    }

    /** {@code base} with each variable of {@code over} replacing the one of its name, or added at the end. */
    private static List<EnvVar> withEnv(List<EnvVar> base, List<EnvVar> over) {
        Map<String, EnvVar> byName = new LinkedHashMap<>();
        for (EnvVar v : base == null ? List.<EnvVar>of() : base) {
            byName.put(v.getName(), v);
        }
        for (EnvVar v : over) {
            byName.put(v.getName(), v);
        }
        return new ArrayList<>(byName.values());
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
