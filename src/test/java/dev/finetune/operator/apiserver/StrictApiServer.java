package dev.finetune.operator.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * fabric8's CRUD mock made to answer writes as kube-apiserver does, on the paths the operator uses.
 * Reads, watches and deletes are the CRUD mock's; every create, update and patch goes through
 * {@link #write}, which imitates the API server's request pipeline:
 * decode and patch, keep server-owned metadata, the status subresource split, defaulting, validation
 * (CRD structural schema, built-in rules, immutable fields), optimistic concurrency, then store.
 * Deletes are followed by owner-reference garbage collection, and {@link #faults()} makes requests fail
 * on demand.
 */
public class StrictApiServer extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Built-in kinds whose status is a subresource: writes of the main resource leave status alone. */
    private static final Set<String> STATUS_SUBRESOURCE = Set.of("jobs", "pods", "services", "persistentvolumeclaims",
            "deployments", "statefulsets", "replicasets", "daemonsets", "namespaces", "nodes");

    private final Faults faults = new Faults();
    private final BuiltinRules builtins = new BuiltinRules();
    private final Map<String, CustomResourceRules> crdRules = new HashMap<>();
    private final ReadWriteLock lock;
    private final ExecutorService garbageCollector = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strict-api-server-gc");
        t.setDaemon(true);
        return t;
    });

    public StrictApiServer() {
        super(List.of());
        // Writes here must exclude the CRUD mock's reads and watches as its own writes do: share its lock.
        try {
            var field = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            field.setAccessible(true);
            lock = (ReadWriteLock) field.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("fabric8's KubernetesCrudDispatcher changed: no 'lock' field", e);
        }
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        return faults.handle(request, super::dispatch);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return locked(() -> write(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return locked(() -> write(request));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return locked(() -> write(request));
    }

    /**
     * Owner-reference garbage collection, background propagation (the default for API clients): after
     * the delete, objects all of whose owners are gone are deleted, again and again down the chain.
     * Runs after the response, as the garbage collector controller does. propagationPolicy=Orphan
     * leaves the dependents.
     */
    @Override
    public MockResponse handleDelete(String path) {
        MockResponse response = super.handleDelete(path);
        if (response.code() == 200 && !path.contains("propagationPolicy=Orphan")) {
            garbageCollector.submit(this::collectGarbage);
        }
        return response;
    }

    private void collectGarbage() {
        boolean deleted = true;
        while (deleted) {
            deleted = false;
            List<String> orphans = new ArrayList<>();
            lock.readLock().lock();
            try {
                Set<String> uids = new HashSet<>();
                List<JsonNode> objects = new ArrayList<>();
                for (String stored : new ArrayList<>(map.values())) {
                    JsonNode object = parse(stored);
                    uids.add(object.path("metadata").path("uid").asText());
                    objects.add(object);
                }
                for (Map.Entry<AttributeSet, String> entry : new ArrayList<>(map.entrySet())) {
                    JsonNode owners = parse(entry.getValue()).path("metadata").path("ownerReferences");
                    if (owners.isArray() && !owners.isEmpty()) {
                        boolean allGone = true;
                        for (JsonNode owner : owners) {
                            allGone &= !uids.contains(owner.path("uid").asText());
                        }
                        if (allGone) {
                            orphans.add(pathOf(entry.getKey()));
                        }
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            for (String orphan : orphans) {
                deleted |= super.handleDelete(orphan).code() == 200;
            }
        }
    }

    /** Whether owner references are given and none of them names a stored object with that uid. */
    private boolean ownersGone(JsonNode owners, String namespace) {
        if (!owners.isArray() || owners.isEmpty()) {
            return false;
        }
        for (JsonNode owner : owners) {
            String apiVersion = owner.path("apiVersion").asText();
            String plural = owner.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s";
            String path = (apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion)
                    + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural + "/" + owner.path("name").asText();
            Map.Entry<AttributeSet, String> stored = findResource(getKey(path));
            if (stored != null && parse(stored.getValue()).path("metadata").path("uid").asText().equals(owner.path("uid").asText())) {
                return false;
            }
        }
        return true;
    }

    private static String pathOf(AttributeSet key) {
        String group = value(key, KubernetesAttributesExtractor.API);
        String version = value(key, KubernetesAttributesExtractor.VERSION);
        String namespace = value(key, KubernetesAttributesExtractor.NAMESPACE);
        return (group == null ? "/api/" + version : "/apis/" + group + "/" + version)
                + (namespace == null ? "" : "/namespaces/" + namespace)
                + "/" + value(key, KubernetesAttributesExtractor.PLURAL) + "/" + value(key, KubernetesAttributesExtractor.NAME);
    }

    private static String value(AttributeSet key, String name) {
        Attribute attribute = key.getAttribute(name);
        return attribute == null ? null : attribute.getValues().iterator().next().toString();
    }

    private MockResponse locked(java.util.function.Supplier<MockResponse> write) {
        lock.writeLock().lock();
        try {
            return write.get();
        } catch (ApiError e) {
            return e.response();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** One create, update or patch, through the API server's stages in their order. */
    private MockResponse write(RecordedRequest request) {
        Target target = Target.parse(request.getPath());
        String body = request.getBody() == null ? "" : request.getBody().readUtf8();
        Map.Entry<AttributeSet, String> current = null;
        if (!request.getMethod().equals("POST")) {
            current = findResource(getKey(request.getPath()));
            if (current == null) {
                throw new ApiError(404, "NotFound", target.plural + " \"" + target.name + "\" not found");
            }
        }
        ObjectNode old = current == null ? null : (ObjectNode) parse(current.getValue());
        ObjectNode sent = switch (request.getMethod()) {
            case "POST", "PUT" -> asObject(body);
            case "PATCH" -> patch(old, body, request.getHeader("Content-Type"));
            default -> throw new ApiError(405, "MethodNotAllowed", request.getMethod());
        };
        String kind = sent.path("kind").asText(old == null ? "" : old.path("kind").asText());
        String name = sent.path("metadata").path("name").asText(target.name == null ? "" : target.name);
        if (old == null) {
            if (findResource(getKey(request.getPath()).add(new Attribute(KubernetesAttributesExtractor.NAME, name))) != null) {
                throw new ApiError(409, "AlreadyExists", target.plural + " \"" + name + "\" already exists");
            }
            MockResponse created = store(request.getPath(), null, create(target, sent, kind, name), 201);
            // The garbage collector also deletes an object created with owners that are already gone (a controller
            // that raced its owner's deletion): it looks each new owner reference up.
            if (ownersGone(sent.path("metadata").path("ownerReferences"), target.namespace)) {
                garbageCollector.submit(this::collectGarbage);
            }
            return created;
        }
        // Optimistic concurrency: a write that names a resourceVersion applies to that version only.
        String expected = sent.path("metadata").path("resourceVersion").asText("");
        if (!expected.isEmpty() && !expected.equals(old.path("metadata").path("resourceVersion").asText())) {
            throw ApiError.conflict(target.plural + "." + target.groupOrCore(), name);
        }
        ObjectNode updated = update(target, old, sent, kind);
        if (updated.equals(old)) {
            // A write that changes nothing is no write: same resourceVersion, no watch event.
            return new MockResponse().setResponseCode(200).setBody(old.toString());
        }
        return store(request.getPath(), current.getKey(), updated, 200);
    }

    private ObjectNode create(Target target, ObjectNode object, String kind, String name) {
        ObjectNode metadata = BuiltinRules.obj(object, "metadata");
        if (!metadata.hasNonNull("name") || metadata.get("name").asText().isEmpty()) {
            if (!metadata.hasNonNull("generateName")) {
                throw ApiError.invalid(kind, "", "metadata.name: Required value: name or generateName is required");
            }
            metadata.put("name", metadata.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5));
        }
        if (target.namespace != null) {
            if (metadata.hasNonNull("namespace") && !metadata.get("namespace").asText().equals(target.namespace)) {
                throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
            }
            metadata.put("namespace", target.namespace);
        }
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        metadata.put("generation", 1);
        metadata.remove(List.of("deletionTimestamp", "resourceVersion", "managedFields"));
        if (hasStatusSubresource(target)) {
            // With a status subresource, status is written through /status only.
            object.remove("status");
        }
        admit(target, kind, null, object);
        return object;
    }

    private ObjectNode update(Target target, ObjectNode old, ObjectNode sent, String kind) {
        ObjectNode updated;
        if (target.status) {
            // PUT/PATCH of /status changes status only: spec and metadata stay as they are.
            updated = old.deepCopy();
            if (sent.has("status")) {
                updated.set("status", sent.get("status"));
            } else {
                updated.remove("status");
            }
        } else {
            updated = sent;
            if (hasStatusSubresource(target)) {
                // ...and a write of the main resource leaves status as it is.
                if (old.has("status")) {
                    updated.set("status", old.get("status"));
                } else {
                    updated.remove("status");
                }
            }
            ObjectNode metadata = BuiltinRules.obj(updated, "metadata");
            JsonNode before = old.get("metadata");
            for (String serverOwned : List.of("uid", "creationTimestamp", "namespace", "generation", "deletionTimestamp", "name")) {
                if (before.has(serverOwned)) {
                    metadata.set(serverOwned, before.get(serverOwned));
                } else {
                    metadata.remove(serverOwned);
                }
            }
        }
        BuiltinRules.obj(updated, "metadata").set("resourceVersion", old.get("metadata").get("resourceVersion"));
        if (!target.status) {
            admit(target, kind, old, updated);
        } else if (crdRules(target) != null) {
            crdRules(target).admit(updated, kind);
        }
        // metadata.generation counts changes of everything but metadata and status (the spec).
        ObjectNode oldRest = old.deepCopy().without(List.of("metadata", "status"));
        ObjectNode newRest = updated.deepCopy().without(List.of("metadata", "status"));
        if (!oldRest.equals(newRest)) {
            ((ObjectNode) updated.get("metadata")).put("generation", old.path("metadata").path("generation").asLong(0) + 1);
        }
        return updated;
    }

    private void admit(Target target, String kind, ObjectNode old, ObjectNode object) {
        CustomResourceRules custom = crdRules(target);
        if (custom != null) {
            custom.admit(object, kind + "." + target.group);
        } else if (old == null) {
            builtins.create(kind, object);
        } else {
            builtins.update(kind, old, object);
        }
    }

    private MockResponse store(String path, AttributeSet oldKey, ObjectNode object, int code) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
        String json = object.toString();
        AttributeSet key = getKey(path);
        if (metadata.hasNonNull("deletionTimestamp") && metadata.path("finalizers").isEmpty()) {
            // The last finalizer is gone from an object being deleted: it is deleted now.
            processEvent(path, key, oldKey, null, null);
            return new MockResponse().setResponseCode(200).setBody(json);
        }
        processEvent(path, key, oldKey, null, json);
        if (path.startsWith("/apis/apiextensions.k8s.io/")) {
            synchronized (crdRules) {
                crdRules.clear();
            }
        }
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(json);
    }

    private boolean hasStatusSubresource(Target target) {
        return STATUS_SUBRESOURCE.contains(target.plural) || isStatusSubresourceEnabledForResource(target.path);
    }

    /** The rules of the CRD that serves this group and plural, or null for a built-in kind. */
    private CustomResourceRules crdRules(Target target) {
        if (target.group == null || target.group.endsWith("k8s.io") || !target.group.contains(".")) {
            return null;
        }
        String id = target.plural + "." + target.group;
        synchronized (crdRules) {
            if (crdRules.containsKey(id)) {
                return crdRules.get(id);
            }
            CustomResourceRules rules = null;
            for (String stored : new ArrayList<>(map.values())) {
                JsonNode crd = parse(stored);
                if ("CustomResourceDefinition".equals(crd.path("kind").asText()) && id.equals(crd.path("metadata").path("name").asText())) {
                    for (JsonNode version : crd.path("spec").path("versions")) {
                        if (version.path("name").asText().equals(target.version)) {
                            rules = new CustomResourceRules(version.path("schema").path("openAPIV3Schema"));
                        }
                    }
                }
            }
            crdRules.put(id, rules);
            return rules;
        }
    }

    /** JSON Patch (RFC 6902) and JSON merge patch (RFC 7386); strategic merge and apply patches are refused. */
    private static ObjectNode patch(ObjectNode current, String body, String contentType) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        JsonNode patch = parse(body);
        try {
            return switch (type) {
                case "application/json-patch+json" -> (ObjectNode) JsonPatch.apply(patch, current.deepCopy());
                case "application/merge-patch+json" -> (ObjectNode) mergePatch(current, patch);
                default -> throw new ApiError(415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format for this double: " + type);
            };
        } catch (RuntimeException e) {
            if (e instanceof ApiError error) {
                throw error;
            }
            throw new ApiError(422, "Invalid", "the patch could not be applied: " + e.getMessage());
        }
    }

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
        patch.fields().forEachRemaining(field -> {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        });
        return result;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new ApiError(400, "BadRequest", "the body is not JSON: " + e.getMessage());
        }
    }

    private static ObjectNode asObject(String json) {
        JsonNode node = parse(json);
        if (!node.isObject()) {
            throw new ApiError(400, "BadRequest", "the body is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The parts of a resource path: /api(s)/[group/]version/[namespaces/NS/]plural[/name[/status]]. */
    record Target(String path, String group, String version, String namespace, String plural, String name, boolean status) {
        static Target parse(String pathAndQuery) {
            String path = URI.create(pathAndQuery).getPath();
            List<String> s = new ArrayList<>(Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toList());
            String group = null;
            if (s.get(0).equals("apis")) {
                group = s.remove(1);
            }
            String version = s.get(1);
            List<String> rest = s.subList(2, s.size());
            String namespace = null;
            if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
                namespace = rest.get(1);
                rest = rest.subList(2, rest.size());
            }
            return new Target(path, group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null,
                    rest.size() > 2 && rest.get(2).equals("status"));
        }

        String groupOrCore() {
            return group == null ? "" : group;
        }
    }
}
