package dev.finetune.trainer.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What transformers' PretrainedConfig does for every family that keeps its config.json whole: the labels
 * (id2label / num_labels) and problem_type, and save_pretrained's JSON, which is the object as read with only
 * architectures, model_type and the labels written over, unknown keys kept. A family adds its own fields and checks.
 */
public abstract class PretrainedConfig implements EncoderConfig {
    /** The whole JSON object as read, the source of unknown keys on write. Never mutated. */
    private final ObjectNode json;
    private final List<String> labels;
    private final String problemType;

    /** Reads the labels and problem_type of {@code json}; errors name {@code source} and the field. */
    protected PretrainedConfig(ObjectNode json, String source) {
        this.json = json;
        ConfigFields fields = new ConfigFields(json, source);
        problemType = fields.string("problem_type", null);
        labels = fields.labels();
    }

    /** transformers' class name of the family's sequence classifier, which {@link #toJson()} writes. */
    protected abstract String sequenceClassificationArchitecture();

    /** A copy of the JSON with a head of {@code numLabels} classes (names as {@link ConfigFields#labelsFor}). */
    protected ObjectNode jsonWithLabels(int numLabels, List<String> labelNames) {
        ObjectNode copy = json.deepCopy();
        ConfigFields.putLabels(copy, ConfigFields.labelsFor(numLabels, labelNames, labels));
        return copy;
    }

    /** The JSON save_pretrained writes for {@code architecture} (e.g. "RobertaForTokenClassification"). */
    public ObjectNode toJson(String architecture) {
        ObjectNode out = json.deepCopy();
        out.putArray("architectures").add(architecture);
        out.put("model_type", modelType());
        ConfigFields.putLabels(out, labels);
        return out;
    }

    @Override
    public ObjectNode toJson() {
        return toJson(sequenceClassificationArchitecture());
    }

    /** Writes {@link #toJson(String)} to {@code file}, as save_pretrained writes config.json. */
    public void write(Path file, String architecture) throws IOException {
        Files.writeString(file, ConfigFields.JSON.writeValueAsString(toJson(architecture)) + "\n");
    }

    @Override
    public int numLabels() {
        return labels.size();
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public String problemType() {
        return problemType;
    }
}
