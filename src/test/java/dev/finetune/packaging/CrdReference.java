package dev.finetune.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Renders docs/reference.md, the FineTuneJob configuration reference, from the CRD's openAPIV3Schema: one
 * Markdown table per spec section (path, type, default, allowed values, required, description), the
 * training table with the Hugging Face name of each field, and a short table of the status.
 */
final class CrdReference {
    static final Path CRD = Path.of("crds", "finetunejobs.finetune.dev-v1.yml");
    static final Path REFERENCE = Path.of("docs", "reference.md");
    static final String REGENERATE = "mvn -B test -Dtest=CrdReferenceTest -Dfinetune.regenerate=true";

    /** Hand-written; the rest of the file is rendered from the CRD. */
    static final String INTRO = """
            # FineTuneJob configuration reference

            Every field of a `FineTuneJob` (`apiVersion: finetune.dev/v1alpha1`), as the CRD
            [crds/finetunejobs.finetune.dev-v1.yml](../crds/finetunejobs.finetune.dev-v1.yml) declares it: type,
            default (filled in by the API server when the field is absent), allowed values, whether it is required,
            and what it does. The API server rejects a manifest that breaks these rules or names an unknown field
            (`kubectl apply` validates strictly). Only `spec.model.uri` and `spec.dataset.uri` are needed; see
            [examples/](../examples) for whole manifests and `kubectl explain finetunejob.spec` on a cluster.

            The training hyperparameters are Hugging Face `TrainingArguments` in camelCase, with the same defaults;
            the column *Hugging Face* gives the snake_case name, and says where a field is not a `TrainingArguments`
            field.

            """;

    /** Spec sections in the order a reader meets them; the spec's other objects follow, then its plain fields. */
    static final List<String> SECTION_ORDER =
            List.of("model", "dataset", "task", "training", "resources", "scheduling", "storage");

    /** Training fields whose Hugging Face counterpart is not the TrainingArguments field of the snake_case name. */
    static final Map<String, String> HUGGING_FACE_ELSEWHERE = Map.of(
            "resumeFromCheckpoint", "`resume_from_checkpoint` of `Trainer.train()` (not TrainingArguments)",
            "earlyStoppingPatience", "`early_stopping_patience` of `EarlyStoppingCallback` (not TrainingArguments)",
            "earlyStoppingThreshold", "`early_stopping_threshold` of `EarlyStoppingCallback` (not TrainingArguments)");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final java.util.regex.Pattern ALTERNATIVES =
            java.util.regex.Pattern.compile("\\^\\(?([\\w|]+)\\)?\\$");

    /** One property of the schema: its dotted path, its schema, and whether it must be given. */
    record Field(String path, String name, JsonNode schema, String required) {
        String description() {
            return schema.path("description").asText("");
        }
    }

    private CrdReference() {}

    static JsonNode openApiSchema(Path crd) throws IOException {
        return YAML.readTree(crd.toFile()).at("/spec/versions/0/schema/openAPIV3Schema");
    }

    static String render(Path crd) throws IOException {
        JsonNode root = openApiSchema(crd);
        JsonNode spec = root.at("/properties/spec");
        StringBuilder out = new StringBuilder(INTRO);
        out.append("<!-- Rendered from ").append(CRD).append(" by src/test/java/dev/finetune/packaging/CrdReference.java:"
                + " do not edit below. Regenerate: ").append(REGENERATE).append(" -->\n");
        for (String section : sections(spec)) {
            JsonNode schema = spec.at("/properties/" + section);
            out.append("\n## ").append(capitalise(section)).append(" (`spec.").append(section).append("`)\n\n");
            out.append(schema.path("description").asText("")).append(requiredNote(spec, section)).append("\n\n");
            table(out, fields(schema, "spec." + section, true), section.equals("training"));
        }
        List<Field> plain = topLevelFields(spec);
        out.append("\n## Top level (`spec`)\n\n");
        table(out, plain, false);

        out.append("\n## Status (`status`)\n\nWritten by the operator from the trainer's reports; read only.\n\n");
        out.append("| Field | Type | Description |\n|---|---|---|\n");
        for (Field field : fields(root.at("/properties/status"), "status", true)) {
            out.append("| `").append(field.path()).append("` | ").append(type(field.schema())).append(" | ")
                    .append(cell(field.description())).append(" |\n");
        }
        return out.toString();
    }

    /** The spec's objects with properties of their own, in SECTION_ORDER and then as the CRD lists them. */
    static List<String> sections(JsonNode spec) {
        List<String> sections = new ArrayList<>();
        for (String name : SECTION_ORDER) {
            if (spec.at("/properties/" + name).has("properties")) {
                sections.add(name);
            }
        }
        spec.path("properties").fieldNames().forEachRemaining(name -> {
            if (spec.at("/properties/" + name).has("properties") && !sections.contains(name)) {
                sections.add(name);
            }
        });
        return sections;
    }

    /** Every field of the spec: the sections' fields, then the spec's plain fields. */
    static List<Field> specFields(Path crd) throws IOException {
        JsonNode spec = openApiSchema(crd).at("/properties/spec");
        List<Field> all = new ArrayList<>();
        for (String section : sections(spec)) {
            all.add(new Field("spec." + section, section, spec.at("/properties/" + section), isRequired(spec, section) ? "yes" : ""));
            all.addAll(fields(spec.at("/properties/" + section), "spec." + section, true));
        }
        all.addAll(topLevelFields(spec));
        return all;
    }

    private static List<Field> topLevelFields(JsonNode spec) {
        List<String> sections = sections(spec);
        return fields(spec, "spec", true).stream()
                .filter(f -> !sections.contains(f.path().split("\\.")[1]))
                .collect(Collectors.toList());
    }

    /** Kubernetes types whose own fields Kubernetes documents (kubectl explain pod.spec.affinity): one field each. */
    static final java.util.Set<String> KUBERNETES_OBJECTS = java.util.Set.of("spec.pod.affinity");

    /**
     * The properties of an object schema, depth first; a nested object is listed, then its properties. Arrays
     * and maps are one field each (their items are Kubernetes types or plain values).
     */
    static List<Field> fields(JsonNode object, String path, boolean objectRequired) {
        List<Field> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            String name = property.getKey();
            boolean required = isRequired(object, name);
            String requiredText = !required ? "" : objectRequired ? "yes" : "when `" + lastSegment(path) + "` is set";
            Field field = new Field(path + "." + name, name, property.getValue(), requiredText);
            fields.add(field);
            if (property.getValue().has("properties") && !KUBERNETES_OBJECTS.contains(field.path())) {
                fields.addAll(fields(property.getValue(), field.path(), objectRequired && required));
            }
        }
        return fields;
    }

    private static boolean isRequired(JsonNode object, String name) {
        return StreamSupport.stream(object.path("required").spliterator(), false).anyMatch(r -> r.asText().equals(name));
    }

    private static void table(StringBuilder out, List<Field> fields, boolean huggingFace) {
        out.append("| Field | Type | Default | Allowed | Required |").append(huggingFace ? " Hugging Face |" : "")
                .append(" Description |\n");
        out.append("|---|---|---|---|---|").append(huggingFace ? "---|" : "").append("---|\n");
        for (Field field : fields) {
            out.append("| `").append(field.path()).append("` | ").append(type(field.schema())).append(" | ")
                    .append(defaultValue(field.schema())).append(" | ").append(cell(allowed(field.schema()))).append(" | ")
                    .append(field.required()).append(" |");
            if (huggingFace) {
                out.append(' ').append(huggingFaceName(field.name())).append(" |");
            }
            out.append(' ').append(cell(field.description())).append(" |\n");
        }
    }

    /** The Hugging Face name of a training field: TrainingArguments' snake_case name unless listed elsewhere. */
    static String huggingFaceName(String field) {
        return HUGGING_FACE_ELSEWHERE.getOrDefault(field, "`" + snakeCase(field) + "`");
    }

    static String snakeCase(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    static String type(JsonNode schema) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            return "int-or-string";
        }
        String type = schema.path("type").asText("");
        if (type.equals("array")) {
            return "[]" + type(schema.path("items"));
        }
        if (type.equals("object") && schema.path("additionalProperties").isObject()) {
            return "map[string]" + type(schema.path("additionalProperties"));
        }
        return type;
    }

    private static String defaultValue(JsonNode schema) {
        return schema.has("default") ? "`" + schema.get("default").asText() + "`" : "";
    }

    /** Enum, pattern (as a list when it only lists alternatives), bounds, item counts and CEL rules. */
    static String allowed(JsonNode schema) {
        List<String> rules = new ArrayList<>();
        if (schema.has("enum")) {
            rules.add(oneOf(StreamSupport.stream(schema.get("enum").spliterator(), false).map(JsonNode::asText).toList()));
        }
        if (schema.has("pattern")) {
            String pattern = schema.get("pattern").asText();
            Matcher alternatives = ALTERNATIVES.matcher(pattern);
            rules.add(alternatives.matches() ? oneOf(List.of(alternatives.group(1).split("\\|"))) : "pattern `" + pattern + "`");
        }
        if (schema.has("minimum")) {
            rules.add((schema.path("exclusiveMinimum").asBoolean() ? "> " : "≥ ") + number(schema.get("minimum")));
        }
        if (schema.has("maximum")) {
            rules.add((schema.path("exclusiveMaximum").asBoolean() ? "< " : "≤ ") + number(schema.get("maximum")));
        }
        if (schema.has("minItems") || schema.has("maxItems")) {
            rules.add(schema.path("minItems").asText("0") + " to " + schema.path("maxItems").asText("any") + " items");
        }
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            rules.add("`" + validation.path("rule").asText() + "`");
        }
        return String.join("; ", rules);
    }

    private static String oneOf(List<String> values) {
        return values.stream().map(v -> "`" + v + "`").collect(Collectors.joining(", "));
    }

    private static String number(JsonNode value) {
        return new BigDecimal(value.asText()).stripTrailingZeros().toPlainString();
    }

    /** A table cell: one line, with the pipes that would end the cell escaped (also inside code spans). */
    private static String cell(String text) {
        return text.replace("\n", " ").replace("|", "\\|");
    }

    private static String requiredNote(JsonNode spec, String section) {
        return isRequired(spec, section) ? " Required." : "";
    }

    private static String capitalise(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static String lastSegment(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    static Map<String, JsonNode> trainingFields(Path crd) throws IOException {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        openApiSchema(crd).at("/properties/spec/properties/training/properties").fields()
                .forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }
}
