package dev.finetune.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a FineTuneJob manifest (what `kubectl apply` would take) from a file, strictly: a typo in a field
 * name, a key given twice, a float where the CRD has an integer, text that is not UTF-8 or a {@code null} where a
 * default would apply is an error naming the file, the line and the field, not a silently changed setting.
 */
public final class ManifestReader {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .findAndAddModules()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // The API server refuses 8.5 (and "8") for an integer field; so does `run`, rather than train with 8.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private ManifestReader() {}

    public static FineTuneJob read(Path file) throws ManifestException {
        FineTuneJob job;
        try {
            String text = utf8(file, Files.readAllBytes(file));
            JsonNode tree = YAML.readTree(text);
            checkKind(file, tree);
            NullFields.check(file, tree);
            job = YAML.readValue(text, FineTuneJob.class);
        } catch (NoSuchFileException e) {
            throw new ManifestException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ManifestException(file + ": cannot read it: permission denied");
        } catch (JsonParseException e) {
            throw new ManifestException(parseProblem(file, e));
        } catch (JsonMappingException e) {
            throw new ManifestException(describe(file, e));
        } catch (JsonProcessingException e) {
            throw new ManifestException(file + location(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new ManifestException(file + ": is a folder, expected a FineTuneJob manifest file");
            }
            throw new ManifestException(file + ": cannot read it: " + e.getMessage());
        }
        if (job.getMetadata() == null || job.getMetadata().getName() == null || job.getMetadata().getName().isBlank()) {
            throw new ManifestException(file + ": metadata.name is required");
        }
        return job;
    }

    /** The text of {@code bytes}, or an error naming the line of the first byte that is not UTF-8. */
    static String utf8(Path file, byte[] bytes) throws ManifestException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            int start = 0;
            int bad = firstInvalidByte(bytes);
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    start = i + 1;
                }
            }
            throw new ManifestException(String.format("%s:%d: not UTF-8 text (byte 0x%02x at column %d); save the manifest as UTF-8",
                    file, line, bytes[bad] & 0xff, bad - start + 1));
        }
    }

    private static int firstInvalidByte(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        var result = decoder.decode(in, out, true);
        return result.isError() ? Math.min(in.position(), bytes.length - 1) : 0;
    }

    // CustomResource fixes kind and apiVersion from its annotations, so check what the file says first.
    private static void checkKind(Path file, JsonNode tree) throws ManifestException {
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ManifestException(file + ": empty manifest");
        }
        if (!tree.isObject()) {
            String found = tree.isArray() ? "a list" : "a " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
            throw new ManifestException(file + ": expected a FineTuneJob mapping (apiVersion, kind, metadata, spec), found "
                    + found + (tree.isArray() ? "; one manifest per file, without a leading '-'" : ""));
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

    /** A syntax error, or a key given twice (Jackson reports that while parsing): the line and, for a key, the field. */
    private static String parseProblem(Path file, JsonParseException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field") && e.getProcessor() != null) {
            JsonParser parser = e.getProcessor();
            String key = message.replaceFirst("^Duplicate field '(.*)'$", "$1");
            List<String> path = new ArrayList<>();
            for (JsonStreamContext c = parser.getParsingContext().getParent(); c != null; c = c.getParent()) {
                if (c.getCurrentName() != null) {
                    path.add(c.getCurrentName());
                } else if (c.inArray()) {
                    path.add("[" + c.getCurrentIndex() + "]");
                }
            }
            Collections.reverse(path);
            path.add(key);
            String field = String.join(".", path).replace(".[", "[");
            return file + location(e.getLocation()) + ": " + field + " is given twice; keep one of the two lines";
        }
        if (message != null && message.startsWith("Malformed numeric value") && e.getProcessor() != null) {
            // YAML's .inf and .nan: JSON, and so the API server, has no such numbers
            String value = message.replaceFirst("^Malformed numeric value (\\S+).*$", "$1");
            return file + location(e.getLocation()) + ": " + fieldAt(e.getProcessor().getParsingContext()) + ": " + value
                    + " is not a finite number";
        }
        return file + location(e.getLocation()) + ": not valid YAML: " + message;
    }

    /** The dotted path of the value a parser stands at, e.g. spec.training.numTrainEpochs. */
    private static String fieldAt(JsonStreamContext context) {
        List<String> path = new ArrayList<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.getCurrentName() != null) {
                path.add(c.getCurrentName());
            } else if (c.inArray()) {
                path.add("[" + c.getCurrentIndex() + "]");
            }
        }
        Collections.reverse(path);
        return String.join(".", path).replace(".[", "[");
    }

    private static String describe(Path file, JsonMappingException e) {
        String field = fieldPath(e);
        String problem;
        if (e instanceof UnrecognizedPropertyException) {
            problem = "unknown field";
        } else if (e instanceof InvalidFormatException format) {
            problem = "expected " + typeName(format.getTargetType()) + ", got " + quoted(format.getValue());
        } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            problem = "expected " + typeName(mismatch.getTargetType()) + mismatchFound(e);
        } else {
            problem = e.getOriginalMessage();
        }
        return file + location(e.getLocation()) + ": " + field + ": " + problem;
    }

    static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String mismatchFound(JsonMappingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        // Jackson's own words for what it found, e.g. "from Floating-point value (8.5)" or "from Array value".
        var m = java.util.regex.Pattern.compile("from (.+? value(?: \\([^)]*\\))?)").matcher(message);
        if (m.find()) {
            return ", got " + m.group(1).replace("Floating-point value", "the number").replace("String value", "the text")
                    .replace("Array value", "a list").replace("Object value", "a mapping");
        }
        m = java.util.regex.Pattern.compile("Floating-point value \\(([^)]*)\\)").matcher(message);
        if (m.find()) {
            return ", got " + m.group(1);
        }
        return " (" + message.lines().findFirst().orElse("") + ")";
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a text";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.getName().startsWith("dev.finetune.")) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
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
