package dev.finetune.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads a FineTuneJob manifest (what `kubectl apply` would take) from a file, strictly: a typo in a field
 * name is an error naming the file, the line and the field, not a silently ignored setting.
 */
public final class ManifestReader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .findAndRegisterModules()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestReader() {}

    public static FineTuneJob read(Path file) throws ManifestException {
        FineTuneJob job;
        try {
            String text = Files.readString(file);
            checkKind(file, YAML.readTree(text));
            job = YAML.readValue(text, FineTuneJob.class);
        } catch (NoSuchFileException e) {
            throw new ManifestException(file + ": no such file");
        } catch (JsonMappingException e) {
            throw new ManifestException(describe(file, e));
        } catch (JsonProcessingException e) {
            throw new ManifestException(file + location(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ManifestException(file + ": " + e.getMessage());
        }
        if (job.getMetadata() == null || job.getMetadata().getName() == null || job.getMetadata().getName().isBlank()) {
            throw new ManifestException(file + ": metadata.name is required");
        }
        return job;
    }

    // CustomResource fixes kind and apiVersion from its annotations, so check what the file says first.
    private static void checkKind(Path file, JsonNode tree) throws ManifestException {
        if (tree == null || !tree.isObject()) {
            throw new ManifestException(file + ": empty manifest");
        }
        String kind = tree.path("kind").asText(null);
        if (!"FineTuneJob".equals(kind)) {
            throw new ManifestException(file + ": kind is " + kind + ", expected FineTuneJob");
        }
        String apiVersion = tree.path("apiVersion").asText(null);
        String expected = FineTuneJob.GROUP + "/" + FineTuneJob.VERSION;
        if (!expected.equals(apiVersion)) {
            throw new ManifestException(file + ": apiVersion is " + apiVersion + ", expected " + expected);
        }
    }

    private static String describe(Path file, JsonMappingException e) {
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String problem = e instanceof UnrecognizedPropertyException ? "unknown field" : e.getOriginalMessage();
        return file + location(e.getLocation()) + ": " + field + ": " + problem;
    }

    private static String location(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : ":" + location.getLineNr();
    }

    /** A manifest that cannot be used; the message names the file, line and field. */
    public static final class ManifestException extends Exception {
        public ManifestException(String message) {
            super(message);
        }
    }
}
