package dev.finetune.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The checked-in CRD matches the one generated from dev.finetune.api, and examples/ fit its schema. */
class CrdTest {
    /** The chart's copy of the CRD, deploy/ and docs/reference.md follow crds/; these tests rewrite them. */
    static final String REGENERATE_COPIES = "mvn -B test -Dtest=GeneratedManifestsTest,CrdReferenceTest -Dfinetune.regenerate=true";

    @Test
    void checkedInCrdIsTheGeneratedOne() throws IOException {
        assertTrue(Files.exists(CrdSchema.GENERATED), CrdSchema.GENERATED + " is missing: CrdGeneration writes it in process-test-classes (mvn -B process-test-classes)");
        String generated = Files.readString(CrdSchema.GENERATED);
        String checkedIn = Files.exists(CrdSchema.CHECKED_IN) ? Files.readString(CrdSchema.CHECKED_IN) : "";
        assertEquals(generated, checkedIn, CrdSchema.CHECKED_IN + " is out of date with the API classes; update it with: "
                + "mvn -B process-test-classes && cp " + CrdSchema.GENERATED + " crds/ (then " + REGENERATE_COPIES + ")");
    }

    @Test
    void crdHasThePrinterColumnsInOrderAndStatusSubresource() throws IOException {
        for (Path crd : List.of(CrdSchema.GENERATED, CrdSchema.CHECKED_IN)) {
            JsonNode version = CrdSchema.YAML.readTree(crd.toFile()).at("/spec/versions/0");
            List<String> columns = java.util.stream.StreamSupport.stream(version.path("additionalPrinterColumns").spliterator(), false)
                    .map(c -> c.get("name").asText()).toList();
            // kubectl prints the columns in the CRD's order: SPEC.md's order, not the generator's (by JSON path).
            assertEquals(List.of("PHASE", "PROGRESS", "EPOCH", "LOSS", "ACCURACY", "F1", "PEARSON", "AGE"), columns, crd.toString());
            // Without -o wide, SPEC.md's columns only: the problem types' metrics are priority 1.
            List<String> byDefault = java.util.stream.StreamSupport.stream(version.path("additionalPrinterColumns").spliterator(), false)
                    .filter(c -> c.path("priority").asInt(0) == 0).map(c -> c.get("name").asText()).toList();
            assertEquals(List.of("PHASE", "PROGRESS", "EPOCH", "LOSS", "ACCURACY", "AGE"), byDefault, crd.toString());
            assertTrue(version.at("/subresources/status").isObject(), crd.toString());
        }
    }

    @Test
    void noPropertyHasANullDefault() throws IOException {
        // `default: null` (what the generator writes for @Default("")) makes the API server refuse the CRD.
        List<String> nullDefaults = new java.util.ArrayList<>();
        collectNullDefaults(CrdSchema.YAML.readTree(CrdSchema.GENERATED.toFile()).at("/spec/versions/0/schema/openAPIV3Schema"),
                "openAPIV3Schema", nullDefaults);
        assertEquals(List.of(), nullDefaults);
    }

    private static void collectNullDefaults(JsonNode schema, String path, List<String> found) {
        if (schema.has("default") && schema.get("default").isNull()) {
            found.add(path);
        }
        schema.path("properties").fields().forEachRemaining(p -> collectNullDefaults(p.getValue(), path + "." + p.getKey(), found));
        if (schema.has("items")) {
            collectNullDefaults(schema.get("items"), path + "[]", found);
        }
        if (schema.path("additionalProperties").isObject()) {
            collectNullDefaults(schema.get("additionalProperties"), path + ".*", found);
        }
    }

    @Test
    void everyExampleValidatesAgainstTheGeneratedSchema() throws IOException {
        CrdSchema schema = CrdSchema.generated();
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            examples = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(examples.isEmpty(), "examples/ holds no manifest");
        for (Path example : examples) {
            List<Error> errors = schema.validate(CrdSchema.read(example));
            assertTrue(errors.isEmpty(), example + " does not fit the CRD schema: "
                    + errors.stream().map(Error::toString).collect(Collectors.joining("; ")));
        }
    }

    @Test
    void schemaRejectsWhatKubernetesWouldReject() throws IOException {
        CrdSchema schema = CrdSchema.generated();
        JsonNode good = CrdSchema.read(Path.of("examples", "mrpc.yaml"));

        ObjectNode typo = good.deepCopy();
        ((ObjectNode) typo.at("/spec/training")).put("learningRat", 1e-4);
        assertMentions(schema.validate(typo), "learningRat");

        ObjectNode zeroRate = good.deepCopy();
        ((ObjectNode) zeroRate.at("/spec/training")).put("learningRate", 0.0);
        assertMentions(schema.validate(zeroRate), "learningRate");

        ObjectNode badStrategy = good.deepCopy();
        ((ObjectNode) badStrategy.at("/spec/training")).put("evalStrategy", "sometimes");
        assertMentions(schema.validate(badStrategy), "evalStrategy");

        ObjectNode noModel = good.deepCopy();
        ((ObjectNode) noModel.get("spec")).remove("model");
        assertMentions(schema.validate(noModel), "model");

        ObjectNode threeFields = good.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) threeFields.at("/spec/task/textFields")).add("sentence3");
        assertMentions(schema.validate(threeFields), "textFields");
    }

    private static void assertMentions(List<Error> errors, String field) {
        assertFalse(errors.isEmpty(), "expected a schema error about " + field);
        String all = errors.stream().map(Error::toString).collect(Collectors.joining("; "));
        assertTrue(all.contains(field), "errors should name " + field + ": " + all);
    }
}
