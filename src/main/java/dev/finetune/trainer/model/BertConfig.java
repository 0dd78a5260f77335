package dev.finetune.trainer.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face BERT {@code config.json}. Absent keys take transformers' BertConfig defaults; keys this class
 * does not know are kept and written back unchanged, so a round trip loses nothing.
 */
public final class BertConfig implements EncoderConfig {
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
        ConfigFields f = new ConfigFields(json, source);
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
        problemType = f.string("problem_type", null);
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
        return new BertConfig(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed ({@link ModelFamilies}); {@code source} names it in errors. */
    static BertConfig fromJson(ObjectNode json, String source) {
        return new BertConfig(json, source);
    }

    /** Parses config.json text; {@code source} names it in errors (a path, or "quickstart config"). */
    public static BertConfig parse(String jsonText, String source) {
        return new BertConfig(ConfigFields.parseObject(jsonText, source), source);
    }

    /**
     * This config with a classification head of {@code numLabels} classes. Names come from {@code labelNames} where
     * given, else from this config's id2label where it has that many, else LABEL_0, LABEL_1, ... as transformers.
     */
    public BertConfig withLabels(int numLabels, List<String> labelNames) {
        ObjectNode copy = json.deepCopy();
        ConfigFields.putLabels(copy, ConfigFields.labelsFor(numLabels, labelNames, labels));
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
        ConfigFields.putLabels(out, labels);
        if (problemType != null) {
            out.put("problem_type", problemType);
        }
        return out;
    }

    public void write(Path file) throws IOException {
        write(file, "BertForSequenceClassification");
    }

    public void write(Path file, String architecture) throws IOException {
        Files.writeString(file, ConfigFields.JSON.writeValueAsString(toJson(architecture)) + "\n");
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

}
