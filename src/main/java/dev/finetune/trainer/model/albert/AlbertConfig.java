package dev.finetune.trainer.model.albert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.ConfigFields;
import dev.finetune.trainer.model.HiddenActivation;
import dev.finetune.trainer.model.PretrainedConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ALBERT {@code config.json} ({@code model_type: albert}). Absent keys take transformers' AlbertConfig defaults
 * (gelu_new, no dropout in the encoder); the JSON is kept whole and written back with only the labels changed.
 */
public final class AlbertConfig extends PretrainedConfig {
    public static final String MODEL_TYPE = "albert";

    private final int vocabSize;
    private final int embeddingSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numHiddenGroups;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final int innerGroupNum;
    private final HiddenActivation hiddenAct;
    private final float hiddenDropoutProb;
    private final float attentionProbsDropoutProb;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final float initializerRange;
    private final float layerNormEps;
    private final Float classifierDropoutProb;
    private final int padTokenId;

    private AlbertConfig(ObjectNode json, String source) {
        super(json, source);
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", 30000);
        embeddingSize = f.positiveInt("embedding_size", 128);
        hiddenSize = f.positiveInt("hidden_size", 4096);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 12);
        numHiddenGroups = f.positiveInt("num_hidden_groups", 1);
        numAttentionHeads = f.positiveInt("num_attention_heads", 64);
        intermediateSize = f.positiveInt("intermediate_size", 16384);
        innerGroupNum = f.positiveInt("inner_group_num", 1);
        hiddenAct = f.activation("hidden_act", "gelu_new");
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0);
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        typeVocabSize = f.positiveInt("type_vocab_size", 2);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-12);
        classifierDropoutProb = json.hasNonNull("classifier_dropout_prob")
                ? f.probability("classifier_dropout_prob", 0) : (json.has("classifier_dropout_prob") ? null : 0.1f);
        padTokenId = f.intValue("pad_token_id", 0);
        if (hiddenSize % numAttentionHeads != 0) {
            throw f.error("hidden_size", hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        // More groups than layers would leave groups that no layer uses, and so weights nothing trains.
        if (numHiddenGroups > numHiddenLayers) {
            throw f.error("num_hidden_groups", numHiddenGroups + " is more than num_hidden_layers " + numHiddenLayers);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw f.error("pad_token_id", padTokenId + " is outside the vocabulary of " + vocabSize);
        }
        String positionType = f.string("position_embedding_type", "absolute");
        if (!positionType.equals("absolute")) {
            throw f.error("position_embedding_type", "\"" + positionType + "\" is not supported (only \"absolute\")");
        }
    }

    public static AlbertConfig read(Path file) throws IOException {
        return new AlbertConfig(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed (ModelFamilies); {@code source} names it in errors. */
    public static AlbertConfig fromJson(ObjectNode json, String source) {
        return new AlbertConfig(json, source);
    }

    public static AlbertConfig parse(String text, String source) {
        return new AlbertConfig(ConfigFields.parseObject(text, source), source);
    }

    @Override
    public AlbertConfig withLabels(int numLabels, List<String> labelNames) {
        return new AlbertConfig(jsonWithLabels(numLabels, labelNames), "config with " + numLabels + " labels");
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return AlbertForSequenceClassification.ARCHITECTURE;
    }

    @Override
    public String modelType() { return MODEL_TYPE; }

    @Override
    public Map<String, Integer> architecture() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("vocab_size", vocabSize);
        fields.put("embedding_size", embeddingSize);
        fields.put("hidden_size", hiddenSize);
        fields.put("num_hidden_layers", numHiddenLayers);
        fields.put("num_hidden_groups", numHiddenGroups);
        fields.put("num_attention_heads", numAttentionHeads);
        fields.put("intermediate_size", intermediateSize);
        fields.put("inner_group_num", innerGroupNum);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("type_vocab_size", typeVocabSize);
        return fields;
    }

    /**
     * The layer group the {@code layer}-th of num_hidden_layers applications uses: transformers' int(i / (layers /
     * groups)), groups of consecutive layers.
     */
    public int groupOfLayer(int layer) {
        return (int) (layer / ((double) numHiddenLayers / numHiddenGroups));
    }

    @Override
    public int vocabSize() { return vocabSize; }
    public int embeddingSize() { return embeddingSize; }
    @Override
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numHiddenGroups() { return numHiddenGroups; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int headSize() { return hiddenSize / numAttentionHeads; }
    public int intermediateSize() { return intermediateSize; }
    public int innerGroupNum() { return innerGroupNum; }
    public HiddenActivation hiddenAct() { return hiddenAct; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    public float attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    @Override
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public int typeVocabSize() { return typeVocabSize; }
    @Override
    public float initializerRange() { return initializerRange; }
    public float layerNormEps() { return layerNormEps; }
    /** classifier_dropout_prob (default 0.1); an explicit null means hidden_dropout_prob for the token head. */
    public Float classifierDropoutProb() { return classifierDropoutProb; }
    public int padTokenId() { return padTokenId; }
}
