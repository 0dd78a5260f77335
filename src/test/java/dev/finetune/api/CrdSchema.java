package dev.finetune.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * The FineTuneJob CRD as freshly generated into target/crds, and a validator for manifests built from
 * its openAPIV3Schema. Unknown fields are errors, as `kubectl apply` (strict field validation) has them.
 */
public final class CrdSchema {
    public static final String FILE = "finetunejobs.finetune.dev-v1.yml";
    public static final Path GENERATED = Path.of("target", "crds", FILE);
    public static final Path CHECKED_IN = Path.of("crds", FILE);
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Schema schema;

    private CrdSchema(Schema schema) {
        this.schema = schema;
    }

    public static CrdSchema generated() throws IOException {
        JsonNode crd = YAML.readTree(GENERATED.toFile());
        ObjectNode openApi = ((ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema")).deepCopy();
        ObjectNode root = (ObjectNode) openApi.get("properties");
        root.putObject("apiVersion").putArray("enum").add("finetune.dev/v1alpha1");
        root.putObject("kind").putArray("enum").add("FineTuneJob");
        root.putObject("metadata").put("type", "object");
        openApi.putArray("required").add("apiVersion").add("kind").add("metadata").add("spec");
        closeObjects(openApi);
        // Kubernetes' structural schemas are OpenAPI v3 (draft-4 style exclusiveMinimum: true).
        return new CrdSchema(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(openApi));
    }

    public List<Error> validate(JsonNode manifest) {
        return schema.validate(manifest);
    }

    public static JsonNode read(Path manifest) throws IOException {
        return YAML.readTree(Files.readString(manifest));
    }

    /** Every object schema with listed properties rejects others, unless it preserves unknown fields. */
    private static void closeObjects(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (object.has("properties") && !object.has("x-kubernetes-preserve-unknown-fields")
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
                closeObjects(it.next());
            }
        } else if (node.isArray()) {
            node.forEach(CrdSchema::closeObjects);
        }
    }
}
