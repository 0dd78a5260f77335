package dev.finetune.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Iterator;
import java.util.Map;

/**
 * Compares a dependent with what the operator wants of it by the fields desired() sets only: the API
 * server fills in defaults (a Service's clusterIP, a claim's volumeMode, probe timeouts...) and stores
 * quantities in canonical form (2048Mi as 2Gi), none of which is a difference. JOSDK's JSON-diff matcher
 * counts those, and its non-SSA update replaces the whole spec, which a real API server refuses for
 * immutable fields; here a difference is mended with a JSON merge patch of the owned fields alone.
 */
public final class OwnedFieldsMatcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OwnedFieldsMatcher() {}

    /** True when every label, annotation and spec field that {@code desired} sets has that value in {@code actual}. */
    public static boolean matches(HasMetadata desired, HasMetadata actual) {
        JsonNode want = owned(desired);
        JsonNode have = JSON.valueToTree(actual);
        return contains(have, want, "");
    }

    /** A JSON merge patch of the owned fields: what a mismatch is mended with (server-set fields stay). */
    public static <R extends HasMetadata> R patch(KubernetesClient client, R actual, R desired) {
        // On the live object, so that fabric8 does not read it again before it patches.
        return client.resource(actual).patch(PatchContext.of(PatchType.JSON_MERGE), owned(desired).toString());
    }

    /** metadata.labels, metadata.annotations and everything but metadata and status. */
    static ObjectNode owned(HasMetadata resource) {
        ObjectNode all = JSON.valueToTree(resource);
        ObjectNode owned = JSON.createObjectNode();
        ObjectNode metadata = owned.putObject("metadata");
        JsonNode m = all.path("metadata");
        for (String field : new String[] {"labels", "annotations"}) {
            if (m.hasNonNull(field)) {
                metadata.set(field, m.get(field));
            }
        }
        all.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("metadata") && !e.getKey().equals("status") && !e.getKey().equals("apiVersion")
                    && !e.getKey().equals("kind") && !e.getValue().isNull()) {
                owned.set(e.getKey(), e.getValue());
            }
        });
        return owned;
    }

    /** {@code want} is in {@code have}: objects field by field, lists item by item, quantities by amount. */
    static boolean contains(JsonNode have, JsonNode want, String path) {
        if (want == null || want.isNull()) {
            return true;
        }
        if (have == null || have.isMissingNode() || have.isNull()) {
            return want.isObject() && want.isEmpty() || want.isArray() && want.isEmpty();
        }
        if (want.isObject()) {
            if (!have.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!contains(have.get(field.getKey()), field.getValue(), path + "/" + field.getKey())) {
                    return false;
                }
            }
            return true;
        }
        if (want.isArray()) {
            if (!have.isArray() || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!contains(have.get(i), want.get(i), path + "/" + i)) {
                    return false;
                }
            }
            return true;
        }
        if (want.equals(have)) {
            return true;
        }
        return isQuantity(path) && sameAmount(have.asText(), want.asText());
    }

    /** Resource requests and limits, a claim's storage, an emptyDir's size. */
    private static boolean isQuantity(String path) {
        return path.contains("/requests/") || path.contains("/limits/") || path.endsWith("/sizeLimit");
    }

    private static boolean sameAmount(String a, String b) {
        try {
            return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) == 0;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }
}
