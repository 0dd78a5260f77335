package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.RunId;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects made for a FineTuneJob, in one place so dependents and tests agree. */
public final class ResourceNames {
    /** Label on the Job, its pods and the Service: the FineTuneJob they belong to. */
    public static final String JOB_LABEL = "finetune.dev/job";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "finetune-operator";
    /**
     * What every informer of the operator selects on, so that it caches only the objects it made (each carries the
     * label), not every Job, ConfigMap, Service, claim and pod the cluster has.
     */
    public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
    public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
    public static final String TRAINER_CONTAINER = "trainer";
    public static final String CONFIG_MOUNT = "/etc/finetune";
    public static final String CONFIG_FILE = "job.yaml";
    public static final String WORKSPACE_MOUNT = "/workspace";
    /** The longest FineTuneJob name whose derived names (e.g. NAME-workspace) still fit 63 characters. */
    public static final int MAX_NAME_LENGTH = 53;

    private ResourceNames() {}

    public static String job(FineTuneJob ftj) {
        return ftj.getMetadata().getName();
    }

    public static String configMap(FineTuneJob ftj) {
        return ftj.getMetadata().getName() + "-config";
    }

    public static String service(FineTuneJob ftj) {
        return ftj.getMetadata().getName() + "-metrics";
    }

    /** The claim mounted at /workspace: the user's, or the one the operator makes. */
    public static String claim(FineTuneJob ftj) {
        String claimName = ftj.getSpec().storage == null ? null : ftj.getSpec().storage.claimName;
        return isBlank(claimName) ? ftj.getMetadata().getName() + "-workspace" : claimName;
    }

    /** The run's folder on the claim: one per training spec, so a re-created job with another spec never meets old checkpoints. */
    public static String runPath(FineTuneJob ftj) {
        return ftj.getMetadata().getName() + "/" + RunId.of(ftj.getSpec());
    }

    public static String outputDir(FineTuneJob ftj) {
        return WORKSPACE_MOUNT + "/" + runPath(ftj);
    }

    public static Map<String, String> labels(FineTuneJob ftj) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "finetune-trainer");
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(JOB_LABEL, ftj.getMetadata().getName());
        return labels;
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
