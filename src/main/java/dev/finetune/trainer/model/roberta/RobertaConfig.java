package dev.finetune.trainer.model.roberta;

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
 * A RoBERTa or XLM-RoBERTa {@code config.json} ({@code model_type: roberta / xlm-roberta}: one architecture, two
 * names). Absent keys take transformers' RobertaConfig defaults; the JSON is kept whole and written back with only
 * the architecture and labels changed.
 */
public final class RobertaConfig extends PretrainedConfig {
    public static final String ROBERTA = "roberta";
    public static final String XLM_ROBERTA = "xlm-roberta";

    private final String modelType;
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

    private RobertaConfig(ObjectNode json, String modelType, String source) {
        super(json, source);
        this.modelType = modelType;
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", modelType.equals(ROBERTA) ? 50265 : 30522);
        hiddenSize = f.positiveInt("hidden_size", 768);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 12);
        numAttentionHeads = f.positiveInt("num_attention_heads", 12);
        intermediateSize = f.positiveInt("intermediate_size", 3072);
        hiddenAct = f.activation("hidden_act", "gelu");
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0.1);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0.1);
        classifierDropout = json.hasNonNull("classifier_dropout") ? f.probability("classifier_dropout", 0) : null;
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        typeVocabSize = f.positiveInt("type_vocab_size", 2);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-12);
        padTokenId = f.intValue("pad_token_id", 1);
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
        // Positions are counted from pad_token_id + 1 (create_position_ids_from_input_ids): the table needs a row past it.
        if (padTokenId + 1 >= maxPositionEmbeddings) {
            throw f.error("max_position_embeddings", maxPositionEmbeddings + " leaves no position after the padding index "
                    + padTokenId + " (pad_token_id)");
        }
    }

    /** The config of a config.json object of {@code modelType} ("roberta" or "xlm-roberta"). */
    public static RobertaConfig fromJson(ObjectNode json, String modelType, String source) {
        return new RobertaConfig(json, modelType, source);
    }

    /** Reads {@code file}; its model_type (roberta unless it says xlm-roberta) names the family. */
    public static RobertaConfig read(Path file) throws IOException {
        ObjectNode json = ConfigFields.readObject(file);
        String type = new ConfigFields(json, file.toString()).string("model_type", ROBERTA);
        return new RobertaConfig(json, type.equals(XLM_ROBERTA) ? XLM_ROBERTA : ROBERTA, file.toString());
    }

    /** This config with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    @Override
    public RobertaConfig withLabels(int numLabels, List<String> labelNames) {
        return new RobertaConfig(jsonWithLabels(numLabels, labelNames), modelType, "config with " + numLabels + " labels");
    }

    /** transformers' class name for a head of this model type ("ForSequenceClassification" -> "XLMRobertaFor..."). */
    public String architecture(String head) {
        return (modelType.equals(XLM_ROBERTA) ? "XLMRoberta" : "Roberta") + head;
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return architecture(RobertaForSequenceClassification.HEAD);
    }

    @Override
    public String modelType() { return modelType; }

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
        fields.put("pad_token_id", padTokenId);
        return fields;
    }

    BertLayer.Sizes layerSizes() {
        return new BertLayer.Sizes(hiddenSize, numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb,
                attentionProbsDropoutProb, layerNormEps);
    }

    /** RobertaEmbeddings: BERT's, with the position table's padding row (pad_token_id) zeroed at init. */
    BertEmbeddings.Sizes embeddingSizes() {
        return new BertEmbeddings.Sizes(vocabSize, hiddenSize, maxPositionEmbeddings, typeVocabSize, padTokenId,
                padTokenId, layerNormEps, hiddenDropoutProb);
    }

    public int vocabSize() { return vocabSize; }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    /** Positions start after the padding index (create_position_ids_from_input_ids): 514 gives 512. */
    @Override
    public int maxInputLength() { return maxPositionEmbeddings - padTokenId - 1; }
    public int typeVocabSize() { return typeVocabSize; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    /** classifier_dropout where set, else hidden_dropout_prob, as RobertaClassificationHead does. */
    public float classifierDropoutProb() { return classifierDropout != null ? classifierDropout : hiddenDropoutProb; }
    public float initializerRange() { return initializerRange; }
    public int padTokenId() { return padTokenId; }
}
