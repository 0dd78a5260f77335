package dev.finetune.operator.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kube-apiserver's defaulting (pkg/apis/.../v1/defaults.go), create-time preparation (the registry
 * strategies' PrepareForCreate) and update validation (ValidateXUpdate) for the built-in kinds the
 * operator writes: batch/v1 Job, Service, PersistentVolumeClaim, and the pod spec inside Pods and Jobs.
 * Defaults are applied on every write, as the API server defaults every object it decodes.
 */
final class BuiltinRules {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final AtomicInteger nextClusterIp = new AtomicInteger(1);

    /** Create: prepare (uid-derived fields, allocations), then default and validate. */
    void create(String kind, ObjectNode object) {
        switch (kind) {
            case "Job" -> {
                prepareJobForCreate(object);
                defaultJob(object);
                validateJob(object);
            }
            case "Service" -> {
                // The service IP allocator hands out an address from the service CIDR (10.96.0.0/12).
                ObjectNode spec = obj(object, "spec");
                if (!spec.hasNonNull("clusterIP") || spec.get("clusterIP").asText().isEmpty()) {
                    int n = nextClusterIp.getAndIncrement();
                    spec.put("clusterIP", "10.96." + (n / 250) + "." + (n % 250 + 1));
                }
                defaultService(object, null);
            }
            case "PersistentVolumeClaim" -> {
                defaultClaim(object);
                // PrepareForCreate: a new claim is Pending until the binder binds it.
                obj(object, "status").put("phase", "Pending");
            }
            case "Pod" -> {
                defaultPodSpec(obj(object, "spec"));
                canonicalResources(obj(object, "spec"));
            }
            default -> { }
        }
    }

    /** Update of the main resource: default the new object and refuse changes of immutable fields. */
    void update(String kind, ObjectNode old, ObjectNode updated) {
        switch (kind) {
            case "Job" -> {
                defaultJob(updated);
                validateJob(updated);
                validateJobUpdate(old, updated);
            }
            case "Service" -> defaultService(updated, old);
            case "PersistentVolumeClaim" -> {
                defaultClaim(updated);
                validateClaimUpdate(old, updated);
            }
            case "Pod" -> {
                defaultPodSpec(obj(updated, "spec"));
                canonicalResources(obj(updated, "spec"));
            }
            default -> { }
        }
    }

    // ---- batch/v1 Job ----

    /**
     * jobStrategy.PrepareForCreate + generateSelector: unless spec.manualSelector, the template gets the
     * controller-uid and job-name labels (both spellings) and the selector matches the uid.
     */
    private static void prepareJobForCreate(ObjectNode job) {
        ObjectNode spec = obj(job, "spec");
        if (spec.path("manualSelector").asBoolean(false)) {
            return;
        }
        String uid = job.path("metadata").path("uid").asText();
        String name = job.path("metadata").path("name").asText();
        ObjectNode labels = obj(obj(obj(spec, "template"), "metadata"), "labels");
        labels.put("batch.kubernetes.io/controller-uid", uid);
        labels.put("batch.kubernetes.io/job-name", name);
        labels.put("controller-uid", uid);
        labels.put("job-name", name);
        if (!spec.has("selector")) {
            spec.putObject("selector").putObject("matchLabels").put("batch.kubernetes.io/controller-uid", uid);
        }
        // A Job's status starts empty, whatever the request carried.
        job.remove("status");
    }

    /** SetDefaults_Job (batch/v1). */
    private static void defaultJob(ObjectNode job) {
        ObjectNode spec = obj(job, "spec");
        if (!spec.hasNonNull("completions") && !spec.hasNonNull("parallelism")) {
            spec.put("completions", 1);
            spec.put("parallelism", 1);
        }
        putIfAbsent(spec, "parallelism", 1);
        if (!spec.hasNonNull("backoffLimit")) {
            spec.put("backoffLimit", spec.hasNonNull("backoffLimitPerIndex") ? Integer.MAX_VALUE : 6);
        }
        putIfAbsent(spec, "completionMode", "NonIndexed");
        if (!spec.hasNonNull("suspend")) {
            spec.put("suspend", false);
        }
        putIfAbsent(spec, "podReplacementPolicy", spec.hasNonNull("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
        if (spec.path("podFailurePolicy").path("rules").isArray()) {
            for (JsonNode rule : spec.get("podFailurePolicy").get("rules")) {
                if (rule.path("onPodConditions").isArray()) {
                    rule.get("onPodConditions").forEach(c -> putIfAbsent((ObjectNode) c, "status", "True"));
                }
            }
        }
        ObjectNode template = obj(spec, "template");
        // A Job without labels takes its template's.
        JsonNode labels = job.path("metadata").path("labels");
        if ((labels.isMissingNode() || labels.isEmpty()) && template.path("metadata").path("labels").isObject()) {
            obj(job, "metadata").set("labels", template.get("metadata").get("labels").deepCopy());
        }
        ObjectNode podSpec = obj(template, "spec");
        defaultPodSpec(podSpec);
        canonicalResources(podSpec);
    }

    private static void validateJob(ObjectNode job) {
        String restartPolicy = job.path("spec").path("template").path("spec").path("restartPolicy").asText();
        if (!restartPolicy.equals("Never") && !restartPolicy.equals("OnFailure")) {
            throw ApiError.invalid("Job.batch", name(job), "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
        }
        if (job.path("spec").has("podFailurePolicy") && !restartPolicy.equals("Never")) {
            throw ApiError.invalid("Job.batch", name(job), "spec.template.spec.restartPolicy: Invalid value: \"" + restartPolicy
                    + "\": only \"Never\" is supported when podFailurePolicy is specified");
        }
    }

    /**
     * ValidateJobSpecUpdate: selector, completionMode and podFailurePolicy are immutable; completions too
     * unless an elastic Indexed Job changes it with parallelism; the template is immutable except, for a
     * suspended Job that never started, its node selector, tolerations, affinity, scheduling gates,
     * labels and annotations (what Kueue changes on admission).
     */
    private static void validateJobUpdate(ObjectNode old, ObjectNode updated) {
        JsonNode before = old.path("spec");
        JsonNode after = updated.path("spec");
        List<String> causes = new ArrayList<>();
        for (String field : List.of("selector", "completionMode", "podFailurePolicy")) {
            if (!before.path(field).equals(after.path(field))) {
                causes.add("spec." + field + ": Invalid value: " + after.path(field) + ": field is immutable");
            }
        }
        boolean elastic = "Indexed".equals(after.path("completionMode").asText())
                && after.path("completions").equals(after.path("parallelism"))
                && before.path("completions").equals(before.path("parallelism"));
        if (!elastic && !before.path("completions").equals(after.path("completions"))) {
            causes.add("spec.completions: Invalid value: " + after.path("completions") + ": field is immutable");
        }
        JsonNode oldTemplate = before.path("template");
        JsonNode newTemplate = after.path("template");
        boolean suspendedNeverStarted = before.path("suspend").asBoolean(false) && !old.path("status").hasNonNull("startTime");
        if (suspendedNeverStarted) {
            oldTemplate = withoutSchedulingDirectives(oldTemplate);
            newTemplate = withoutSchedulingDirectives(newTemplate);
        }
        if (!oldTemplate.equals(newTemplate)) {
            causes.add("spec.template: Invalid value: " + after.path("template") + ": field is immutable");
        }
        if (!causes.isEmpty()) {
            throw ApiError.invalid("Job.batch", name(updated), String.join(", ", causes));
        }
    }

    private static JsonNode withoutSchedulingDirectives(JsonNode template) {
        ObjectNode copy = template.isObject() ? ((ObjectNode) template).deepCopy() : NODES.objectNode();
        if (copy.path("metadata").isObject()) {
            ((ObjectNode) copy.get("metadata")).remove(List.of("labels", "annotations"));
        }
        if (copy.path("spec").isObject()) {
            ((ObjectNode) copy.get("spec")).remove(List.of("nodeSelector", "tolerations", "affinity", "schedulingGates"));
        }
        return copy;
    }

    // ---- Pod spec ----

    /** SetDefaults_PodSpec and SetDefaults_Container (and their probes, ports, env and volumes). */
    static void defaultPodSpec(ObjectNode spec) {
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        for (String list : List.of("containers", "initContainers")) {
            if (spec.path(list).isArray()) {
                spec.get(list).forEach(c -> defaultContainer((ObjectNode) c));
            }
        }
        if (spec.path("volumes").isArray()) {
            for (JsonNode volume : spec.get("volumes")) {
                for (String source : List.of("configMap", "secret", "downwardAPI", "projected")) {
                    if (volume.path(source).isObject()) {
                        putIfAbsent((ObjectNode) volume.get(source), "defaultMode", 420);
                    }
                }
                if (volume.path("emptyDir").path("sizeLimit").isTextual()) {
                    ((ObjectNode) volume.get("emptyDir")).put("sizeLimit", canonical(volume.get("emptyDir").get("sizeLimit").asText()));
                }
            }
        }
    }

    private static void defaultContainer(ObjectNode container) {
        putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(container, "terminationMessagePolicy", "File");
        if (!container.hasNonNull("imagePullPolicy")) {
            String image = container.path("image").asText();
            String tag = image.contains("@") ? "" : image.substring(image.lastIndexOf('/') + 1);
            boolean latest = !image.contains("@") && (!tag.contains(":") || tag.endsWith(":latest"));
            container.put("imagePullPolicy", latest ? "Always" : "IfNotPresent");
        }
        if (container.path("ports").isArray()) {
            container.get("ports").forEach(p -> putIfAbsent((ObjectNode) p, "protocol", "TCP"));
        }
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            if (container.path(probe).isObject()) {
                ObjectNode p = (ObjectNode) container.get(probe);
                putIfAbsent(p, "timeoutSeconds", 1);
                putIfAbsent(p, "periodSeconds", 10);
                putIfAbsent(p, "successThreshold", 1);
                putIfAbsent(p, "failureThreshold", 3);
                if (p.path("httpGet").isObject()) {
                    putIfAbsent((ObjectNode) p.get("httpGet"), "scheme", "HTTP");
                }
            }
        }
        if (container.path("env").isArray()) {
            for (JsonNode env : container.get("env")) {
                if (env.path("valueFrom").path("fieldRef").isObject()) {
                    putIfAbsent((ObjectNode) env.get("valueFrom").get("fieldRef"), "apiVersion", "v1");
                }
            }
        }
    }

    /** Quantities are stored in canonical form: what the client sent is not what it reads back. */
    private static void canonicalResources(ObjectNode podSpec) {
        for (String list : List.of("containers", "initContainers")) {
            if (podSpec.path(list).isArray()) {
                for (JsonNode container : podSpec.get(list)) {
                    canonicalQuantities(container.path("resources"));
                }
            }
        }
    }

    private static void canonicalQuantities(JsonNode resources) {
        for (String part : List.of("requests", "limits")) {
            if (resources.path(part).isObject()) {
                ObjectNode quantities = (ObjectNode) resources.get(part);
                List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
                quantities.fields().forEachRemaining(entries::add);
                for (Map.Entry<String, JsonNode> e : entries) {
                    quantities.put(e.getKey(), canonical(e.getValue().asText()));
                }
            }
        }
    }

    private static String canonical(String quantity) {
        try {
            return CanonicalQuantity.of(quantity);
        } catch (IllegalArgumentException e) {
            throw new ApiError(422, "Invalid", "quantity \"" + quantity + "\": " + e.getMessage());
        }
    }

    // ---- Service ----

    /**
     * SetDefaults_Service plus the registry's allocation: type ClusterIP, sessionAffinity None, single
     * stack IPv4, internalTrafficPolicy Cluster, port protocol TCP and targetPort = port. On update an
     * empty clusterIP keeps the allocated one (patchAllocatedValues); a different one is refused
     * (spec.clusterIPs[0]: field is immutable).
     */
    private static void defaultService(ObjectNode service, ObjectNode old) {
        ObjectNode spec = obj(service, "spec");
        JsonNode oldSpec = old == null ? NODES.objectNode() : old.path("spec");
        if (old != null) {
            for (String allocated : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
                if ((!spec.hasNonNull(allocated) || spec.get(allocated).asText().isEmpty() && !spec.get(allocated).isArray())
                        && oldSpec.has(allocated)) {
                    spec.set(allocated, oldSpec.get(allocated).deepCopy());
                }
            }
            if (!spec.path("clusterIP").equals(oldSpec.path("clusterIP"))) {
                throw ApiError.invalid("Service", name(service), "spec.clusterIPs[0]: Invalid value: " + spec.path("clusterIP")
                        + ": may not change once set");
            }
        }
        putIfAbsent(spec, "type", "ClusterIP");
        putIfAbsent(spec, "sessionAffinity", "None");
        if (!spec.has("clusterIPs") && spec.hasNonNull("clusterIP")) {
            spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
        }
        if (!spec.has("ipFamilies")) {
            spec.putArray("ipFamilies").add("IPv4");
        }
        putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
        putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        if (spec.path("ports").isArray()) {
            for (JsonNode port : spec.get("ports")) {
                ObjectNode p = (ObjectNode) port;
                putIfAbsent(p, "protocol", "TCP");
                if (!p.has("targetPort")) {
                    p.set("targetPort", p.get("port"));
                }
            }
        }
    }

    // ---- PersistentVolumeClaim ----

    /** SetDefaults_PersistentVolumeClaimSpec: volumeMode Filesystem; quantities canonical. */
    private static void defaultClaim(ObjectNode claim) {
        ObjectNode spec = obj(claim, "spec");
        putIfAbsent(spec, "volumeMode", "Filesystem");
        canonicalQuantities(spec.path("resources"));
    }

    /**
     * ValidatePersistentVolumeClaimUpdate: the spec is immutable after creation except a larger storage
     * request (volume expansion) and the binder setting volumeName.
     */
    private static void validateClaimUpdate(ObjectNode old, ObjectNode updated) {
        ObjectNode before = (ObjectNode) old.path("spec").deepCopy();
        ObjectNode after = (ObjectNode) updated.path("spec").deepCopy();
        String oldSize = before.path("resources").path("requests").path("storage").asText("0");
        String newSize = after.path("resources").path("requests").path("storage").asText("0");
        if (bytes(newSize).compareTo(bytes(oldSize)) < 0) {
            throw ApiError.invalid("PersistentVolumeClaim", name(updated),
                    "spec.resources.requests.storage: Forbidden: field can not be less than previous value");
        }
        for (ObjectNode spec : List.of(before, after)) {
            if (spec.path("resources").path("requests").isObject()) {
                ((ObjectNode) spec.get("resources").get("requests")).remove("storage");
            }
        }
        if (!before.hasNonNull("volumeName")) {
            after.remove("volumeName");
        }
        if (!before.equals(after)) {
            throw ApiError.invalid("PersistentVolumeClaim", name(updated),
                    "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
        }
    }

    private static java.math.BigDecimal bytes(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity));
    }

    // ---- JSON helpers ----

    static ObjectNode obj(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        if (child == null || !child.isObject()) {
            return parent.putObject(field);
        }
        return (ObjectNode) child;
    }

    private static void putIfAbsent(ObjectNode node, String field, Object value) {
        if (node.hasNonNull(field)) {
            return;
        }
        if (value instanceof Integer i) {
            node.put(field, i);
        } else {
            node.put(field, (String) value);
        }
    }

    private static String name(ObjectNode object) {
        return object.path("metadata").path("name").asText();
    }
}
