package dev.finetune.trainer.model.deberta;

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
 * A DeBERTa-v2/v3 {@code config.json} ({@code model_type: deberta-v2}). Absent keys take transformers'
 * DebertaV2Config defaults (and the getattr defaults its modeling code uses); the JSON is kept whole and written
 * back with only the architecture and labels changed.
 */
public final class DebertaV2Config extends PretrainedConfig {
    public static final String MODEL_TYPE = "deberta-v2";

    private final int vocabSize;
    private final int hiddenSize;
    private final int embeddingSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int headSize;
    private final int intermediateSize;
    private final HiddenActivation hiddenAct;
    private final float hiddenDropoutProb;
    private final float attentionProbsDropoutProb;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final float initializerRange;
    private final float layerNormEps;
    private final int padTokenId;
    private final boolean relativeAttention;
    private final int maxRelativePositions;
    private final int positionBuckets;
    private final boolean positionBiasedInput;
    private final boolean contentToPosition;
    private final boolean positionToContent;
    private final boolean shareAttKey;
    private final boolean normRelEmbeddings;
    private final HiddenActivation poolerHiddenAct;
    private final float poolerDropout;
    private final float clsDropout;

    private DebertaV2Config(ObjectNode json, String source) {
        super(json, source);
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", 128100);
        hiddenSize = f.positiveInt("hidden_size", 1536);
        embeddingSize = f.positiveInt("embedding_size", hiddenSize);
        numHiddenLayers = f.positiveInt("num_hidden_layers", 24);
        numAttentionHeads = f.positiveInt("num_attention_heads", 24);
        headSize = f.positiveInt("attention_head_size", hiddenSize / numAttentionHeads);
        intermediateSize = f.positiveInt("intermediate_size", 6144);
        hiddenAct = f.activation("hidden_act", "gelu");
        hiddenDropoutProb = f.probability("hidden_dropout_prob", 0.1);
        attentionProbsDropoutProb = f.probability("attention_probs_dropout_prob", 0.1);
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        typeVocabSize = f.intValue("type_vocab_size", 0);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        layerNormEps = (float) f.positiveDouble("layer_norm_eps", 1e-7);
        padTokenId = f.intValue("pad_token_id", 0);
        relativeAttention = f.booleanValue("relative_attention", false);
        int maxRelative = f.intValue("max_relative_positions", -1);
        maxRelativePositions = maxRelative < 1 ? maxPositionEmbeddings : maxRelative;
        positionBuckets = f.intValue("position_buckets", -1);
        positionBiasedInput = f.booleanValue("position_biased_input", true);
        List<String> posAttType = f.stringList("pos_att_type");
        for (String type : posAttType) {
            if (!type.equals("c2p") && !type.equals("p2c")) {
                throw f.error("pos_att_type", "has \"" + type + "\", which is not supported (c2p and p2c are)");
            }
        }
        contentToPosition = posAttType.contains("c2p");
        positionToContent = posAttType.contains("p2c");
        shareAttKey = f.booleanValue("share_att_key", false);
        normRelEmbeddings = f.stringList("norm_rel_ebd").contains("layer_norm");
        poolerHiddenAct = f.activation("pooler_hidden_act", "gelu");
        poolerDropout = f.probability("pooler_dropout", 0);
        clsDropout = json.hasNonNull("cls_dropout") ? f.probability("cls_dropout", 0) : hiddenDropoutProb;
        if (numAttentionHeads * headSize != hiddenSize) {
            throw f.error("num_attention_heads", numAttentionHeads + " x attention_head_size " + headSize
                    + " must equal hidden_size " + hiddenSize);
        }
        if (f.intValue("pooler_hidden_size", hiddenSize) != hiddenSize) {
            throw f.error("pooler_hidden_size", "must equal hidden_size " + hiddenSize + " (the classifier reads "
                    + "hidden_size features), got " + f.intValue("pooler_hidden_size", hiddenSize));
        }
        if (typeVocabSize < 0) {
            throw f.error("type_vocab_size", "must be >= 0, got " + typeVocabSize);
        }
        if (f.intValue("conv_kernel_size", 0) > 0) {
            throw f.error("conv_kernel_size", "> 0 (DeBERTa-v2's convolution layer) is not supported");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw f.error("pad_token_id", padTokenId + " is outside the vocabulary of " + vocabSize);
        }
    }

    public static DebertaV2Config read(Path file) throws IOException {
        return new DebertaV2Config(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed (ModelFamilies); {@code source} names it in errors. */
    public static DebertaV2Config fromJson(ObjectNode json, String source) {
        return new DebertaV2Config(json, source);
    }

    public static DebertaV2Config parse(String text, String source) {
        return new DebertaV2Config(ConfigFields.parseObject(text, source), source);
    }

    /** This config with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    public DebertaV2Config withLabels(int numLabels, List<String> labelNames) {
        return new DebertaV2Config(jsonWithLabels(numLabels, labelNames), "config with " + numLabels + " labels");
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return DebertaV2ForSequenceClassification.ARCHITECTURE;
    }

    @Override
    public String modelType() { return MODEL_TYPE; }

    @Override
    public Map<String, Integer> architecture() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("vocab_size", vocabSize);
        fields.put("hidden_size", hiddenSize);
        fields.put("embedding_size", embeddingSize);
        fields.put("num_hidden_layers", numHiddenLayers);
        fields.put("num_attention_heads", numAttentionHeads);
        fields.put("intermediate_size", intermediateSize);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("type_vocab_size", typeVocabSize);
        fields.put("max_relative_positions", maxRelativePositions);
        fields.put("position_buckets", positionBuckets);
        return fields;
    }

    public int vocabSize() { return vocabSize; }
    public int hiddenSize() { return hiddenSize; }
    /** The width of the embedding tables; embed_proj maps it to hidden_size where they differ. */
    public int embeddingSize() { return embeddingSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int headSize() { return headSize; }
    public int intermediateSize() { return intermediateSize; }
    public HiddenActivation hiddenAct() { return hiddenAct; }
    public float hiddenDropoutProb() { return hiddenDropoutProb; }
    public float attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public int typeVocabSize() { return typeVocabSize; }
    public float initializerRange() { return initializerRange; }
    public float layerNormEps() { return layerNormEps; }
    public int padTokenId() { return padTokenId; }
    public boolean relativeAttention() { return relativeAttention; }
    /** max_relative_positions, or max_position_embeddings where it is below 1. */
    public int maxRelativePositions() { return maxRelativePositions; }
    public int positionBuckets() { return positionBuckets; }
    /** Relative distances each side with an embedding: position_buckets if set, else max_relative_positions. */
    public int attentionSpan() { return positionBuckets > 0 ? positionBuckets : maxRelativePositions; }
    public boolean positionBiasedInput() { return positionBiasedInput; }
    public boolean contentToPosition() { return contentToPosition; }
    public boolean positionToContent() { return positionToContent; }
    public boolean shareAttKey() { return shareAttKey; }
    public boolean normRelEmbeddings() { return normRelEmbeddings; }
    public HiddenActivation poolerHiddenAct() { return poolerHiddenAct; }
    public float poolerDropout() { return poolerDropout; }
    /** cls_dropout where set, else hidden_dropout_prob: the dropout before the sequence classifier. */
    public float clsDropout() { return clsDropout; }
}
