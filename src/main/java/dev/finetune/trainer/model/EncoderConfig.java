package dev.finetune.trainer.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What the family-independent code (loading, checkpoints, resume, prediction) reads from a model's config.json,
 * whatever its {@code model_type}. Each family's config class implements it; keys the class does not read
 * (problem_type, id2label/label2id, torch_dtype, anything a later task adds) are kept and written back by
 * {@link #toJson()} unchanged, so a round trip through the trainer loses nothing.
 */
public interface EncoderConfig {
    /** config.json's model_type, as transformers' AutoConfig names the family ("bert", "mpnet", ...). */
    String modelType();

    int vocabSize();

    int hiddenSize();

    int maxPositionEmbeddings();

    /** The longest input the position table can index (less than max_position_embeddings where positions are offset). */
    default int maxInputLength() {
        return maxPositionEmbeddings();
    }

    float initializerRange();

    /**
     * The id a batch of pre-tokenised rows is padded with: config.json's pad_token_id (transformers writes it for every
     * family; roberta and mpnet use 1), 0 where it has none. Families whose default differs override this.
     */
    default int padTokenId() {
        var id = toJson().get("pad_token_id");
        return id != null && id.canConvertToInt() ? id.intValue() : 0;
    }

    /**
     * How many token types the embeddings hold (config.json's type_vocab_size); 0 where the family has no token-type
     * embedding (DeBERTa-v2 with type_vocab_size 0, MPNet, DistilBERT), whose token_type_ids transformers ignores.
     */
    default int typeVocabSize() {
        var size = toJson().get("type_vocab_size");
        return size != null && size.canConvertToInt() ? size.intValue() : 0;
    }

    int numLabels();

    /** Label names in id order (id2label). */
    List<String> labels();

    /** config.json's problem_type, or null when it has none. */
    String problemType();

    /** This config with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    EncoderConfig withLabels(int numLabels, List<String> labelNames);

    /**
     * This config with transformers' problem_type (saved in config.json, so predict knows the task); null keeps it.
     * Goes through config.json's own round trip, so every family gets it without code of its own.
     */
    default EncoderConfig withProblemType(String type) {
        if (type == null || type.equals(problemType())) {
            return this;
        }
        ObjectNode json = toJson();
        json.put("problem_type", type);
        return ModelFamilies.fromJson(json, "config with problem_type " + type);
    }

    /**
     * The config.json fields that make a checkpoint another model when they change (compared on resume), in the
     * order of config.json's documentation, under their config.json names.
     */
    Map<String, Integer> architecture();

    /** The config.json save_pretrained writes for the sequence-classification model, unknown keys included. */
    ObjectNode toJson();

    /** The config.json save_pretrained writes for the model class {@code architecture} (its "architectures" entry). */
    ObjectNode toJson(String architecture);
}
