package dev.finetune.trainer.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.albert.AlbertFamily;
import dev.finetune.trainer.model.deberta.DebertaV2Family;
import dev.finetune.trainer.model.distilbert.DistilBertFamily;
import dev.finetune.trainer.model.electra.ElectraFamily;
import dev.finetune.trainer.model.mpnet.MPNetFamily;
import dev.finetune.trainer.model.roberta.RobertaFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The supported encoder families by config.json's {@code model_type}, as AutoModelForSequenceClassification
 * chooses a class: reading a config, loading or initialising a model go through here.
 */
public final class ModelFamilies {
    /** What a config.json without model_type is read as: this trainer's configs were BERT ones before families. */
    static final String DEFAULT_MODEL_TYPE = BertFamily.MODEL_TYPE;

    private static final Map<String, ModelFamily> FAMILIES = byType(
            new BertFamily(), new MPNetFamily(), new DebertaV2Family(),
            RobertaFamily.roberta(), RobertaFamily.xlmRoberta(),
            new DistilBertFamily(), new ElectraFamily(), new AlbertFamily());

    private ModelFamilies() {}

    private static Map<String, ModelFamily> byType(ModelFamily... families) {
        Map<String, ModelFamily> map = new TreeMap<>();
        for (ModelFamily family : families) {
            map.put(family.modelType(), family);
        }
        return map;
    }

    /** The supported model_type values, sorted. */
    public static List<String> supported() {
        return new ArrayList<>(FAMILIES.keySet());
    }

    /** The family of {@code modelType}; an unsupported one is refused naming {@code source} and the supported ones. */
    public static ModelFamily forModelType(String modelType, String source) {
        ModelFamily family = FAMILIES.get(modelType);
        if (family == null) {
            throw new IllegalArgumentException(source + ": model_type \"" + modelType
                    + "\" is not supported; supported model types: " + String.join(", ", supported()));
        }
        return family;
    }

    /** Reads {@code config.json} as its model_type's config; errors name the file and the field. */
    public static EncoderConfig readConfig(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no config.json: a Hugging Face model folder needs one");
        }
        return fromJson(ConfigFields.readObject(file), file.toString());
    }

    /** Parses config.json text; {@code source} names it in errors. */
    public static EncoderConfig parseConfig(String text, String source) {
        return fromJson(ConfigFields.parseObject(text, source), source);
    }

    /** Reads config.json's object, already parsed, as its model_type's config; {@code source} names it in errors. */
    public static EncoderConfig parseConfig(ObjectNode json, String source) {
        return fromJson(json, source);
    }

    static EncoderConfig fromJson(ObjectNode json, String source) {
        ConfigFields fields = new ConfigFields(json, source);
        String modelType = fields.string("model_type", DEFAULT_MODEL_TYPE);
        return forModelType(modelType, source).parseConfig(json, source);
    }

    /**
     * Loads {@code dir} (config.json + model.safetensors) as AutoModelForSequenceClassification.from_pretrained
     * with num_labels.
     *
     * @param labelNames names of the labels in id order, or null to keep the config's (or LABEL_0, LABEL_1, ...)
     */
    public static SequenceClassificationModel fromPretrained(Path dir, int numLabels, List<String> labelNames,
            NDManager manager, long seed) throws IOException {
        return fromPretrained(dir, numLabels, labelNames, null, manager, seed);
    }

    /** As above, with the config's problem_type set (null: kept as the checkpoint has it). */
    public static SequenceClassificationModel fromPretrained(Path dir, int numLabels, List<String> labelNames,
            String problemType, NDManager manager, long seed) throws IOException {
        EncoderConfig config = readConfig(dir.resolve("config.json")).withLabels(numLabels, labelNames)
                .withProblemType(problemType);
        return family(config).fromPretrained(dir, config, manager, seed);
    }

    /** A randomly initialised model of {@code config}'s family (the same seed gives the same weights). */
    public static SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return family(config).fromConfig(config, manager, seed);
    }

    /**
     * Loads {@code dir} (config.json + model.safetensors) as AutoModelForTokenClassification.from_pretrained with
     * num_labels: a checkpoint of another head (or a base model) gives the encoder, and the token classifier is
     * initialised from {@code seed}.
     *
     * @param labelNames names of the labels in id order, or null to keep the config's (or LABEL_0, LABEL_1, ...)
     */
    public static TokenClassificationModel tokenClassifierFromPretrained(Path dir, int numLabels,
            List<String> labelNames, NDManager manager, long seed) throws IOException {
        EncoderConfig config = readConfig(dir.resolve("config.json")).withLabels(numLabels, labelNames);
        return family(config).tokenClassifierFromPretrained(dir, config, manager, seed);
    }

    /** A randomly initialised token classifier of {@code config}'s family (the same seed gives the same weights). */
    public static TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager,
            long seed) {
        return family(config).tokenClassifierFromConfig(config, manager, seed);
    }

    private static ModelFamily family(EncoderConfig config) {
        return forModelType(config.modelType(), "config");
    }
}
