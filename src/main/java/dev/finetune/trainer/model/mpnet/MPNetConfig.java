package dev.finetune.trainer.model.mpnet;

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
 * An MPNet {@code config.json} ({@code model_type: mpnet}). Absent keys take transformers' MPNetConfig defaults;
 * the JSON is kept whole and written back with only the architecture and labels changed.
 */
public final class MPNetConfig extends PretrainedConfig {
    public static final String MODEL_TYPE = "mpnet";

    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final HiddenActivation hiddenAct;
    private final float hiddenDropoutProb;
    private final float attentionProbsDropoutProb;
    private final int maxPositionEmbeddings;
    private final int relativeAttentionNumBuckets;
    /** pad_token_id, 1 where absent (MPNetConfig's default, and the padding index its embeddings hard-code). */
    private final int padTokenId;
    private final float initializerRange;
    private final float layerNormEps;

    private MPNetConfig(ObjectNode json, String source) {
        super(json, source);
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", 30527);
        hiddenSize = f.positiveInt("hidden_size", 768);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 12);
        numAttentionHeads = f.positiveInt("num_attention_heads", 12);
        intermediateSize = f.positiveInt("intermediate_size", 3072);
        hiddenAct = f.activation("hidden_act", "gelu");
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0.1);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0.1);
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        relativeAttentionNumBuckets = f.positiveInt("relative_attention_num_buckets", 32);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-12);
        padTokenId = json.path("pad_token_id").canConvertToInt() ? json.get("pad_token_id").intValue()
                : MPNetModel.PADDING_IDX;
        if (hiddenSize % numAttentionHeads != 0) {
            throw f.error("hidden_size", hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        // The encoder buckets relative positions into 32 buckets whatever the config says (transformers calls
        // relative_position_bucket with its default), so a smaller table could not be indexed.
        if (relativeAttentionNumBuckets < MPNetModel.RELATIVE_BUCKETS) {
            throw f.error("relative_attention_num_buckets", "must be >= " + MPNetModel.RELATIVE_BUCKETS
                    + " (the encoder uses " + MPNetModel.RELATIVE_BUCKETS + " buckets), got " + relativeAttentionNumBuckets);
        }
        if (MPNetModel.PADDING_IDX >= vocabSize || MPNetModel.PADDING_IDX >= maxPositionEmbeddings) {
            throw f.error("vocab_size", "and max_position_embeddings must exceed MPNet's padding index "
                    + MPNetModel.PADDING_IDX);
        }
    }

    public static MPNetConfig read(Path file) throws IOException {
        return new MPNetConfig(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed (ModelFamilies); {@code source} names it in errors. */
    public static MPNetConfig fromJson(ObjectNode json, String source) {
        return new MPNetConfig(json, source);
    }

    public static MPNetConfig parse(String text, String source) {
        return new MPNetConfig(ConfigFields.parseObject(text, source), source);
    }

    /** This config with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    public MPNetConfig withLabels(int numLabels, List<String> labelNames) {
        return new MPNetConfig(jsonWithLabels(numLabels, labelNames), "config with " + numLabels + " labels");
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return MPNetForSequenceClassification.ARCHITECTURE;
    }

    @Override
    public String modelType() { return MODEL_TYPE; }

    @Override
    public Map<String, Integer> architecture() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("vocab_size", vocabSize);
        fields.put("hidden_size", hiddenSize);
        fields.put("num_hidden_layers", numHiddenLayers);
        fields.put("num_attention_heads", numAttentionHeads);
        fields.put("intermediate_size", intermediateSize);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("relative_attention_num_buckets", relativeAttentionNumBuckets);
        return fields;
    }

    public int vocabSize() { return vocabSize; }

    /** pad_token_id, 1 where absent (MPNetConfig's default, and the padding index its embeddings hard-code). */
    @Override
    public int padTokenId() {
        return padTokenId;
    }

    /** MPNet has no token-type embedding: its tokenizer gives no token_type_ids and the model takes none. */
    @Override
    public int typeVocabSize() {
        return 0;
    }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int headSize() { return hiddenSize / numAttentionHeads; }
    public int intermediateSize() { return intermediateSize; }
    public HiddenActivation hiddenAct() { return hiddenAct; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    public float attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    /** Positions start after the padding index (create_position_ids_from_input_ids). */
    @Override
    public int maxInputLength() { return maxPositionEmbeddings - MPNetModel.PADDING_IDX - 1; }
    public int relativeAttentionNumBuckets() { return relativeAttentionNumBuckets; }
    public float initializerRange() { return initializerRange; }
    public float layerNormEps() { return layerNormEps; }
}
