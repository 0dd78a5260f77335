package dev.finetune.operator.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What kube-apiserver does with a write of a custom resource, given the structural schema of its CRD
 * (apiextensions-apiserver):
 * - unknown fields are pruned (structural schema pruning: fields not in `properties` are dropped unless
 *   `x-kubernetes-preserve-unknown-fields`), apiVersion/kind/metadata are kept at the root;
 * - the pruned object is validated against openAPIV3Schema (types, pattern, enum, minimum/maximum,
 *   required...): any violation refuses the whole write with 422, so a "NaN" string in a number field
 *   fails the status patch that carries it.
 */
final class CustomResourceRules {
    private static final Set<String> ROOT = Set.of("apiVersion", "kind", "metadata");
    private final JsonNode openApi;
    private final Schema schema;

    CustomResourceRules(JsonNode openApiV3Schema) {
        this.openApi = openApiV3Schema;
        ObjectNode forValidation = openApiV3Schema.deepCopy();
        // metadata is validated by the API server's ObjectMeta rules, not by the CRD's schema.
        if (forValidation.path("properties").isObject()) {
            ((ObjectNode) forValidation.get("properties")).remove("metadata");
        }
        // Structural schemas are OpenAPI v3 (draft-4 style exclusiveMinimum: true).
        this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(forValidation);
    }

    /** Prunes {@code object} in place and answers 422 if it breaks the schema. */
    void admit(ObjectNode object, String kind) {
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        JsonNode properties = openApi.path("properties");
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (ROOT.contains(field.getKey())) {
                continue;
            }
            if (!properties.has(field.getKey()) && !openApi.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                fields.remove();
            } else {
                prune(field.getValue(), properties.get(field.getKey()));
            }
        }
        ObjectNode forValidation = object.deepCopy();
        forValidation.remove("metadata");
        List<Error> errors = schema.validate(forValidation);
        if (!errors.isEmpty()) {
            String causes = errors.stream().map(e -> e.getInstanceLocation().toString().replaceFirst("^/", "").replace('/', '.')
                    + ": Invalid value: " + e.getMessage()).collect(Collectors.joining(", "));
            throw ApiError.invalid(kind, object.path("metadata").path("name").asText(), causes);
        }
    }

    private static void prune(JsonNode value, JsonNode schema) {
        if (schema == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            return;
        }
        if (value.isObject()) {
            ObjectNode object = (ObjectNode) value;
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (properties != null && properties.has(field.getKey())) {
                    prune(field.getValue(), properties.get(field.getKey()));
                } else if (additional != null && additional.isObject()) {
                    prune(field.getValue(), additional);
                } else if (properties != null || additional == null || !additional.asBoolean(true)) {
                    fields.remove();
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            value.forEach(item -> prune(item, schema.get("items")));
        }
    }
}
