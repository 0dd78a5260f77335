package dev.finetune.trainer.model.electra;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.BertEmbeddings;
import dev.finetune.trainer.model.BertLayer;
import dev.finetune.trainer.model.ConfigFields;
import dev.finetune.trainer.model.HiddenActivation;
import dev.finetune.trainer.model.PretrainedConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ELECTRA {@code config.json} ({@code model_type: electra}). Absent keys take transformers' ElectraConfig
 * defaults; the JSON is kept whole and written back with only the architecture and labels changed.
 */
public final class ElectraConfig extends PretrainedConfig {
    public static final String MODEL_TYPE = "electra";

    private final int vocabSize;
    private final int embeddingSize;
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

    private ElectraConfig(ObjectNode json, String source) {
        super(json, source);
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", 30522);
        embeddingSize = f.positiveInt("embedding_size", 128);
        hiddenSize = f.positiveInt("hidden_size", 256);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 12);
        numAttentionHeads = f.positiveInt("num_attention_heads", 4);
        intermediateSize = f.positiveInt("intermediate_size", 1024);
        hiddenAct = f.activation("hidden_act", "gelu");
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0.1);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0.1);
        classifierDropout = json.hasNonNull("classifier_dropout") ? f.probability("classifier_dropout", 0) : null;
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        typeVocabSize = f.positiveInt("type_vocab_size", 2);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-12);
        padTokenId = f.intValue("pad_token_id", 0);
        String positions = f.string("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw f.error("position_embedding_type", "\"" + positions + "\" is not supported (only \"absolute\")");
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw f.error("hidden_size", hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw f.error("pad_token_id", padTokenId + " is outside the vocabulary of " + vocabSize);
        }
    }

    public static ElectraConfig read(Path file) throws IOException {
        return new ElectraConfig(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed (ModelFamilies); {@code source} names it in errors. */
    public static ElectraConfig fromJson(ObjectNode json, String source) {
        return new ElectraConfig(json, source);
    }

    /** This config with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    @Override
    public ElectraConfig withLabels(int numLabels, List<String> labelNames) {
        return new ElectraConfig(jsonWithLabels(numLabels, labelNames), "config with " + numLabels + " labels");
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return ElectraForSequenceClassification.ARCHITECTURE;
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
        fields.put("num_attention_heads", numAttentionHeads);
        fields.put("intermediate_size", intermediateSize);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("type_vocab_size", typeVocabSize);
        return fields;
    }

    BertLayer.Sizes layerSizes() {
        return new BertLayer.Sizes(hiddenSize, numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb,
                attentionProbsDropoutProb, layerNormEps);
    }

    /** ElectraEmbeddings: BERT's, embedding_size wide. */
    BertEmbeddings.Sizes embeddingSizes() {
        return new BertEmbeddings.Sizes(vocabSize, embeddingSize, maxPositionEmbeddings, typeVocabSize, padTokenId, -1,
                layerNormEps, hiddenDropoutProb);
    }

    public int vocabSize() { return vocabSize; }
    public int embeddingSize() { return embeddingSize; }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    /** classifier_dropout where set, else hidden_dropout_prob, as ElectraClassificationHead does. */
    public float classifierDropoutProb() { return classifierDropout != null ? classifierDropout : hiddenDropoutProb; }
    public float initializerRange() { return initializerRange; }
}
