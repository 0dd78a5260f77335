package dev.finetune.trainer.model.distilbert;

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
 * A DistilBERT {@code config.json} ({@code model_type: distilbert}) under its own names (dim, n_layers, n_heads,
 * hidden_dim, activation). Absent keys take transformers' DistilBertConfig defaults; hidden_size,
 * num_hidden_layers and num_attention_heads, where present, win over dim, n_layers and n_heads, as its
 * attribute_map makes them. The JSON is kept whole and written back with only the labels changed.
 */
public final class DistilBertConfig extends PretrainedConfig {
    public static final String MODEL_TYPE = "distilbert";
    /** DistilBERT's LayerNorms hard-code eps 1e-12 (no config field). */
    static final float LAYER_NORM_EPS = 1e-12f;

    private final int vocabSize;
    private final int dim;
    private final int nLayers;
    private final int nHeads;
    private final int hiddenDim;
    private final HiddenActivation activation;
    private final float dropout;
    private final float attentionDropout;
    private final float seqClassifDropout;
    private final int maxPositionEmbeddings;
    private final float initializerRange;
    private final int padTokenId;

    private DistilBertConfig(ObjectNode json, String source) {
        super(json, source);
        ConfigFields f = new ConfigFields(json, source);
        vocabSize = f.positiveInt("vocab_size", 30522);
        dim = aliased(f, "dim", "hidden_size", 768);
        nLayers = aliased(f, "n_layers", "num_hidden_layers", 6);
        nHeads = aliased(f, "n_heads", "num_attention_heads", 12);
        hiddenDim = f.positiveInt("hidden_dim", 4 * 768);
        activation = f.activation("activation", "gelu");
        dropout = f.probability("dropout", 0.1);
        attentionDropout = f.probability("attention_dropout", 0.1);
        seqClassifDropout = f.probability("seq_classif_dropout", 0.2);
        maxPositionEmbeddings = f.positiveInt("max_position_embeddings", 512);
        initializerRange = (float) f.positiveDouble("initializer_range", 0.02);
        padTokenId = f.intValue("pad_token_id", 0);
        if (dim % nHeads != 0) {
            throw f.error(json.has("hidden_size") ? "hidden_size" : "dim",
                    dim + " is not a multiple of n_heads " + nHeads);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw f.error("pad_token_id", padTokenId + " is outside the vocabulary of " + vocabSize);
        }
        // The sinusoidal table is a frozen parameter the loop would train; no released DistilBERT uses it.
        if (f.booleanValue("sinusoidal_pos_embds", false)) {
            throw f.error("sinusoidal_pos_embds", "true is not supported (learned position embeddings only)");
        }
    }

    /** {@code alias} (the generic name transformers maps onto {@code field}) where present, else {@code field}. */
    private static int aliased(ConfigFields f, String field, String alias, int defaultValue) {
        int value = f.positiveInt(field, defaultValue);
        return f.positiveInt(alias, value);
    }

    public static DistilBertConfig read(Path file) throws IOException {
        return new DistilBertConfig(ConfigFields.readObject(file), file.toString());
    }

    /** The config of a config.json object already parsed (ModelFamilies); {@code source} names it in errors. */
    public static DistilBertConfig fromJson(ObjectNode json, String source) {
        return new DistilBertConfig(json, source);
    }

    public static DistilBertConfig parse(String text, String source) {
        return new DistilBertConfig(ConfigFields.parseObject(text, source), source);
    }

    @Override
    public DistilBertConfig withLabels(int numLabels, List<String> labelNames) {
        return new DistilBertConfig(jsonWithLabels(numLabels, labelNames), "config with " + numLabels + " labels");
    }

    @Override
    protected String sequenceClassificationArchitecture() {
        return DistilBertForSequenceClassification.ARCHITECTURE;
    }

    @Override
    public String modelType() { return MODEL_TYPE; }

    @Override
    public Map<String, Integer> architecture() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("vocab_size", vocabSize);
        fields.put("max_position_embeddings", maxPositionEmbeddings);
        fields.put("n_layers", nLayers);
        fields.put("n_heads", nHeads);
        fields.put("dim", dim);
        fields.put("hidden_dim", hiddenDim);
        return fields;
    }

    @Override
    public int vocabSize() { return vocabSize; }
    /** dim, under the name the family-independent code uses. */
    @Override
    public int hiddenSize() { return dim; }
    public int numLayers() { return nLayers; }
    public int numHeads() { return nHeads; }
    public int headSize() { return dim / nHeads; }
    public int hiddenDim() { return hiddenDim; }
    public HiddenActivation activation() { return activation; }
    public float dropout() { return dropout; }
    public float attentionDropout() { return attentionDropout; }
    public float seqClassifDropout() { return seqClassifDropout; }
    @Override
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    @Override
    public float initializerRange() { return initializerRange; }
    public int padTokenId() { return padTokenId; }
}
