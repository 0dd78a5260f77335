package dev.finetune.trainer.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a family's {@code config.json} fields, with errors that name the file and the field, and the
 * label maps transformers writes. Families other than BERT read their configs through it.
 */
public final class ConfigFields {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A float as the decimal it was written as (0.1, 1e-12), not its widened binary value (0.10000000149011612),
     * so a saved config.json reads as transformers writes it.
     */
    public static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    private final ObjectNode json;
    private final String source;

    public ConfigFields(ObjectNode json, String source) {
        this.json = json;
        this.source = source;
    }

    /** The JSON object of {@code file}; a missing file or bad JSON is an error naming it. */
    public static ObjectNode readObject(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no config.json: a Hugging Face model folder needs one");
        }
        return parseObject(text, file.toString());
    }

    public static ObjectNode parseObject(String text, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        return (ObjectNode) node;
    }

    public String source() {
        return source;
    }

    public int intValue(String field, int defaultValue) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw error(field, "must be an integer, got " + v);
        }
        return v.intValue();
    }

    public int positiveInt(String field, int defaultValue) {
        int value = intValue(field, defaultValue);
        if (value <= 0) {
            throw error(field, "must be > 0, got " + value);
        }
        return value;
    }

    public double doubleValue(String field, double defaultValue) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw error(field, "must be a number, got " + v);
        }
        return v.doubleValue();
    }

    public double positiveDouble(String field, double defaultValue) {
        double value = doubleValue(field, defaultValue);
        if (!(value > 0)) {
            throw error(field, "must be > 0, got " + value);
        }
        return value;
    }

    public float probability(String field, double defaultValue) {
        double value = doubleValue(field, defaultValue);
        if (!(value >= 0 && value < 1)) {
            throw error(field, "must be in [0, 1), got " + value);
        }
        return (float) value;
    }

    public boolean booleanValue(String field, boolean defaultValue) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw error(field, "must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    public String string(String field, String defaultValue) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw error(field, "must be a string, got " + v);
        }
        return v.textValue();
    }

    /** A list of strings, or one string split at '|' (transformers accepts both for pos_att_type). */
    public List<String> stringList(String field) {
        JsonNode v = json.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            for (String part : v.textValue().toLowerCase().split("\\|")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
            return out;
        }
        if (!v.isArray()) {
            throw error(field, "must be a list of strings, got " + v);
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw error(field, "must be a list of strings, got " + v);
            }
            out.add(item.textValue());
        }
        return out;
    }

    public HiddenActivation activation(String field, String defaultValue) {
        try {
            return HiddenActivation.fromConfigName(string(field, defaultValue));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + field + ": " + e.getMessage(), e);
        }
    }

    /** id2label (string or integer keys 0..n-1), else num_labels, else transformers' default of 2. */
    public List<String> labels() {
        JsonNode id2label = json.get("id2label");
        if (id2label == null || id2label.isNull()) {
            return defaultLabels(positiveInt("num_labels", 2));
        }
        if (!id2label.isObject() || id2label.isEmpty()) {
            throw error("id2label", "must be a non-empty object like {\"0\": \"negative\"}, got " + id2label);
        }
        String[] names = new String[id2label.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw error("id2label", "key \"" + e.getKey() + "\" is not an integer");
            }
            if (id < 0 || id >= names.length || names[id] != null) {
                throw error("id2label", "ids must be 0.." + (names.length - 1) + " once each, got \"" + e.getKey() + "\"");
            }
            if (!e.getValue().isTextual()) {
                throw error("id2label", "label of id " + id + " must be a string, got " + e.getValue());
            }
            names[id] = e.getValue().textValue();
        }
        int numLabels = intValue("num_labels", names.length);
        if (numLabels != names.length) {
            throw error("num_labels", numLabels + " disagrees with id2label, which has " + names.length + " labels");
        }
        return List.of(names);
    }

    /**
     * The label names for a head of {@code numLabels} classes: {@code labelNames} where given, else {@code current}
     * where it has that many, else LABEL_0, LABEL_1, ... as transformers.
     */
    public static List<String> labelsFor(int numLabels, List<String> labelNames, List<String> current) {
        if (numLabels < 1) {
            throw new IllegalArgumentException("numLabels must be >= 1, got " + numLabels);
        }
        if (labelNames != null) {
            if (labelNames.size() != numLabels) {
                throw new IllegalArgumentException(
                        "numLabels is " + numLabels + " but " + labelNames.size() + " label names were given: " + labelNames);
            }
            return List.copyOf(labelNames);
        }
        return current.size() == numLabels ? current : defaultLabels(numLabels);
    }

    /** num_labels, id2label and label2id as transformers writes them (string ids). */
    public static void putLabels(ObjectNode node, List<String> names) {
        node.put("num_labels", names.size());
        ObjectNode id2label = node.putObject("id2label");
        ObjectNode label2id = node.putObject("label2id");
        for (int i = 0; i < names.size(); i++) {
            id2label.put(Integer.toString(i), names.get(i));
            label2id.put(names.get(i), i);
        }
    }

    static List<String> defaultLabels(int numLabels) {
        List<String> names = new ArrayList<>(numLabels);
        for (int i = 0; i < numLabels; i++) {
            names.add("LABEL_" + i);
        }
        return names;
    }

    public IllegalArgumentException error(String field, String message) {
        return new IllegalArgumentException(source + ": " + field + " " + message);
    }
}
