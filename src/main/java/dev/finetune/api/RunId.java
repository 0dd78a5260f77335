package dev.finetune.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of a training run's folder: a hash of what makes a run this run (model, dataset, task and
 * training arguments, the seed among them). A job re-created with the same spec finds its checkpoints
 * again and resumes; a changed spec gets a folder of its own beside the old one, which it never touches.
 * Fields at their defaults are left out, so that new fields do not move existing runs.
 * Left out too: where it runs (resources, scheduling, image, storage) and what cannot change the result
 * (the token's Secret, spec.training.resumeFromCheckpoint).
 */
public final class RunId {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private RunId() {}

    /**
     * The section's fields that differ from its defaults: a field added in a later version, whose default keeps
     * the old behaviour, leaves the hash (and so the folder a running job resumes from) as it was.
     */
    private static JsonNode withoutDefaults(Object section, Object defaults) {
        JsonNode tree = CANONICAL.valueToTree(section);
        if (tree instanceof ObjectNode fields) {
            JsonNode defaultTree = CANONICAL.valueToTree(defaults);
            fields.properties().removeIf(field -> field.getValue().isNull() || field.getValue().equals(defaultTree.get(field.getKey())));
        }
        return tree;
    }

    public static String of(FineTuneJobSpec spec) {
        ObjectNode run = CANONICAL.createObjectNode();
        run.set("model", withoutDefaults(spec.model, new ModelSource()));
        run.set("dataset", withoutDefaults(spec.dataset, new DatasetSource()));
        run.set("task", withoutDefaults(spec.task, new TaskSpec()));
        run.set("training", withoutDefaults(spec.training, new TrainingSpec()));
        if (run.get("model") instanceof ObjectNode model) {
            model.remove("tokenSecretRef");
        }
        if (run.get("training") instanceof ObjectNode training) {
            training.remove("resumeFromCheckpoint");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(CANONICAL.writeValueAsString(run).getBytes(StandardCharsets.UTF_8));
            return "run-" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the training spec", e);
        }
    }
}
