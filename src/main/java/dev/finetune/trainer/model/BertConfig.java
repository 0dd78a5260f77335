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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face BERT {@code config.json}. Absent keys take transformers' BertConfig defaults; keys this class
 * does not know are kept and written back unchanged, so a round trip loses nothing.
 */
public final class BertConfig implements EncoderConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The whole JSON object as read, the source of unknown keys on write. Never mutated. */
    private final ObjectNode json;

    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final HiddenActivation hiddenAct;
    private final float hiddenDropoutProb;
    private final float attentionProbsDropoutProb;
    private final Float classifierDropout;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final float initializerRange;
    private final float layerNormEps;
    private final int padTokenId;
    private final List<String> labels;
    private final String problemType;

    private BertConfig(ObjectNode json, String source) {
        this.json = json;
        Fields f = new Fields(json, source);
        vocabSize = f.positiveInt("vocab_size", 30522);
        hiddenSize = f.positiveInt("hidden_size", 768);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 12);
        numAttentionHeads = f.positiveInt("num_attention_heads", 12);
        intermediateSize = f.positiveInt("intermediate_size", 3072);
        try {
            hiddenAct = HiddenActivation.fromConfigName(f.string("hidden_act", "gelu"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0.1);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0.1);
        classifierDropout = json.hasNonNull("classifier_dropout") ? f.probability("classifier_dropout", 0) : null;
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        typeVocabSize = f.positiveInt("type_vocab_size", 2);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-12);
        padTokenId = f.intValue("pad_token_id", 0);
        problemType = json.hasNonNull("problem_type") ? f.string("problem_type", null) : null;
        labels = f.labels();
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(source + ": hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException(
                    source + ": pad_token_id " + padTokenId + " is outside the vocabulary of " + vocabSize);
        }
    }

    /** Reads {@code config.json}; errors name the file and the field. */
    public static BertConfig read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no config.json: a Hugging Face model folder needs one");
        }
        return parse(text, file.toString());
    }

    /** The config of a config.json object already parsed ({@link ModelFamilies}); {@code source} names it in errors. */
    static BertConfig fromJson(ObjectNode json, String source) {
        return new BertConfig(json, source);
    }

    /** Parses config.json text; {@code source} names it in errors (a path, or "quickstart config"). */
    public static BertConfig parse(String jsonText, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(jsonText);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        return new BertConfig((ObjectNode) node, source);
    }

    /**
     * This config with a classification head of {@code numLabels} classes. Names come from {@code labelNames} where
     * given, else from this config's id2label where it has that many, else LABEL_0, LABEL_1, ... as transformers.
     */
    public BertConfig withLabels(int numLabels, List<String> labelNames) {
        if (numLabels < 1) {
            throw new IllegalArgumentException("numLabels must be >= 1, got " + numLabels);
        }
        List<String> names;
        if (labelNames != null) {
            if (labelNames.size() != numLabels) {
                throw new IllegalArgumentException(
                        "numLabels is " + numLabels + " but " + labelNames.size() + " label names were given: " + labelNames);
            }
            names = labelNames;
        } else if (labels.size() == numLabels) {
            names = labels;
        } else {
            names = defaultLabels(numLabels);
        }
        ObjectNode copy = json.deepCopy();
        putLabels(copy, names);
        return new BertConfig(copy, "config with " + numLabels + " labels");
    }

    /** The JSON transformers writes for BertForSequenceClassification, unknown keys included. */
    public ObjectNode toJson() {
        return toJson("BertForSequenceClassification");
    }

    /** The JSON save_pretrained writes for {@code architecture} (e.g. "BertForTokenClassification"). */
    public ObjectNode toJson(String architecture) {
        ObjectNode out = json.deepCopy();
        out.putArray("architectures").add(architecture);
        out.put("model_type", "bert");
        out.put("vocab_size", vocabSize);
        out.put("hidden_size", hiddenSize);
        out.put("num_hidden_layers", numHiddenLayers);
        out.put("num_attention_heads", numAttentionHeads);
        out.put("intermediate_size", intermediateSize);
        out.put("hidden_act", hiddenAct.configName());
        out.put("hidden_dropout_prob", ConfigFields.decimal(hiddenDropoutProb));
        out.put("attention_probs_dropout_prob", ConfigFields.decimal(attentionProbsDropoutProb));
        if (classifierDropout == null) {
            out.putNull("classifier_dropout");
        } else {
            out.put("classifier_dropout", ConfigFields.decimal(classifierDropout));
        }
        out.put("max_position_embeddings", maxPositionEmbeddings);
        out.put("type_vocab_size", typeVocabSize);
        out.put("initializer_range", ConfigFields.decimal(initializerRange));
        out.put("layer_norm_eps", ConfigFields.decimal(layerNormEps));
        out.put("pad_token_id", padTokenId);
        putLabels(out, labels);
        if (problemType != null) {
            out.put("problem_type", problemType);
        }
        return out;
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
    }

    public void write(Path file, String architecture) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toJson(architecture)) + "\n");
    }

    private static void putLabels(ObjectNode node, List<String> names) {
        node.put("num_labels", names.size());
        ObjectNode id2label = node.putObject("id2label");
        ObjectNode label2id = node.putObject("label2id");
        for (int i = 0; i < names.size(); i++) {
            // String keys, as transformers writes them ("0": "LABEL_0").
            id2label.put(Integer.toString(i), names.get(i));
            label2id.put(names.get(i), i);
        }
    }

    private static List<String> defaultLabels(int numLabels) {
        List<String> names = new ArrayList<>(numLabels);
        for (int i = 0; i < numLabels; i++) {
            names.add("LABEL_" + i);
        }
        return names;
    }

    @Override
    public String modelType() { return BertFamily.MODEL_TYPE; }

    @Override
    public Map<String, Integer> architecture() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("vocab_size", vocabSize);
        fields.put("hidden_size", hiddenSize);
        fields.put("num_hidden_layers", numHiddenLayers);
        fields.put("num_attention_heads", numAttentionHeads);
        fields.put("intermediate_size", intermediateSize);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("type_vocab_size", typeVocabSize);
        return fields;
    }

    /** The sizes of its {@link BertLayer}s. */
    public BertLayer.Sizes layerSizes() {
        return new BertLayer.Sizes(hiddenSize, numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb,
                attentionProbsDropoutProb, layerNormEps);
    }

    /** The sizes of its {@link BertEmbeddings}: hidden_size wide, positions 0..T-1. */
    BertEmbeddings.Sizes embeddingSizes() {
        return new BertEmbeddings.Sizes(vocabSize, hiddenSize, maxPositionEmbeddings, typeVocabSize, padTokenId, -1,
                layerNormEps, hiddenDropoutProb);
    }

    public int vocabSize() { return vocabSize; }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int headSize() { return hiddenSize / numAttentionHeads; }
    public int intermediateSize() { return intermediateSize; }
    public HiddenActivation hiddenAct() { return hiddenAct; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    public float attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    /** classifier_dropout where set, else hidden_dropout_prob, as BertForSequenceClassification does. */
    public float classifierDropoutProb() { return classifierDropout != null ? classifierDropout : hiddenDropoutProb; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public int typeVocabSize() { return typeVocabSize; }
    public float initializerRange() { return initializerRange; }
    public float layerNormEps() { return layerNormEps; }
    public int padTokenId() { return padTokenId; }
    public int numLabels() { return labels.size(); }
    /** Label names in id order (id2label). */
    public List<String> labels() { return labels; }
    /** problem_type where the config has one (e.g. "single_label_classification"), else null. */
    public String problemType() { return problemType; }

    /** Typed reads of config.json fields with errors that name the file and the field. */
    private static final class Fields {
        private final ObjectNode json;
        private final String source;

        Fields(ObjectNode json, String source) {
            this.json = json;
            this.source = source;
        }

        int intValue(String field, int defaultValue) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) {
                return defaultValue;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw error(field, "must be an integer, got " + v);
            }
            return v.intValue();
        }

        int positiveInt(String field, int defaultValue) {
            int value = intValue(field, defaultValue);
            if (value <= 0) {
                throw error(field, "must be > 0, got " + value);
            }
            return value;
        }

        double doubleValue(String field, double defaultValue) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) {
                return defaultValue;
            }
            if (!v.isNumber()) {
                throw error(field, "must be a number, got " + v);
            }
            return v.doubleValue();
        }

        double positiveDouble(String field, double defaultValue) {
            double value = doubleValue(field, defaultValue);
            if (!(value > 0)) {
                throw error(field, "must be > 0, got " + value);
            }
            return value;
        }

        float probability(String field, double defaultValue) {
            double value = doubleValue(field, defaultValue);
            if (!(value >= 0 && value < 1)) {
                throw error(field, "must be in [0, 1), got " + value);
            }
            return (float) value;
        }

        String string(String field, String defaultValue) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) {
                return defaultValue;
            }
            if (!v.isTextual()) {
                throw error(field, "must be a string, got " + v);
            }
            return v.textValue();
        }

        /** id2label (string or integer keys 0..n-1), else num_labels, else transformers' default of 2. */
        List<String> labels() {
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

        private IllegalArgumentException error(String field, String message) {
            return new IllegalArgumentException(source + ": " + field + " " + message);
        }
    }
}
