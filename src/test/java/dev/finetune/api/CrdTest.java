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
    @Test
    void checkedInCrdIsTheGeneratedOne() throws IOException {
        assertTrue(Files.exists(CrdSchema.GENERATED), "run mvn process-classes first: " + CrdSchema.GENERATED + " is missing");
        String generated = Files.readString(CrdSchema.GENERATED);
        String checkedIn = Files.exists(CrdSchema.CHECKED_IN) ? Files.readString(CrdSchema.CHECKED_IN) : "";
        assertEquals(generated, checkedIn, CrdSchema.CHECKED_IN + " is out of date with the API classes; update it with: "
                + "mvn -B process-classes && cp " + CrdSchema.GENERATED + " crds/");
    }

    @Test
    void crdHasThePrinterColumnsAndStatusSubresource() throws IOException {
        JsonNode version = CrdSchema.YAML.readTree(CrdSchema.GENERATED.toFile()).at("/spec/versions/0");
        List<String> columns = Stream.of(version.get("additionalPrinterColumns"))
                .flatMap(c -> java.util.stream.StreamSupport.stream(c.spliterator(), false))
                .map(c -> c.get("name").asText()).sorted().toList();
        assertEquals(List.of("ACCURACY", "AGE", "EPOCH", "LOSS", "PHASE", "PROGRESS"), columns);
        assertTrue(version.at("/subresources/status").isObject());
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
