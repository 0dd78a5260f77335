package dev.finetune.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * The resolved FineTuneJob the trainer reads at /etc/finetune/job.yaml: the user's spec with the
 * operator's defaults filled in (the image), and no status. It never holds a token: the Secret reaches
 * the pod as the HF_TOKEN variable. Once the Job exists this file is also the record of the spec it
 * runs, against which later edits are compared.
 */
public final class TrainerConfig {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // a Quantity such as cpu "4" stays a string
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS))
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private TrainerConfig() {}

    /** The job as the trainer runs it: a copy with the default image filled in. */
    public static FineTuneJob resolve(FineTuneJob job, OperatorSettings settings) {
        FineTuneJob resolved = new FineTuneJob();
        resolved.setMetadata(new ObjectMetaBuilder()
                .withName(job.getMetadata().getName())
                .withNamespace(job.getMetadata().getNamespace())
                .build());
        resolved.setSpec(copy(job.getSpec()));
        if (ResourceNames.isBlank(resolved.getSpec().image)) {
            resolved.getSpec().image = settings.defaultImage();
        }
        resolved.setStatus(null);
        return resolved;
    }

    public static String toYaml(FineTuneJob resolved) {
        try {
            return YAML.writeValueAsString(resolved);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the trainer config of " + resolved.getMetadata().getName(), e);
        }
    }

    public static FineTuneJob fromYaml(String yaml) {
        try {
            return YAML.readValue(yaml, FineTuneJob.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable trainer config: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether two specs differ in anything but spec.suspend (the one field a running job may change). */
    public static boolean differsBeyondSuspend(FineTuneJobSpec accepted, FineTuneJobSpec requested) {
        ObjectNode a = YAML.valueToTree(accepted);
        ObjectNode b = YAML.valueToTree(requested);
        a.remove("suspend");
        b.remove("suspend");
        return !a.equals(b);
    }

    /** The first top-level spec field that differs, for the rejection message. */
    public static String firstDifference(FineTuneJobSpec accepted, FineTuneJobSpec requested) {
        JsonNode a = YAML.valueToTree(accepted);
        JsonNode b = YAML.valueToTree(requested);
        var names = a.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!"suspend".equals(field) && !a.get(field).equals(b.get(field))) {
                return "spec." + field;
            }
        }
        var others = b.fieldNames();
        while (others.hasNext()) {
            String field = others.next();
            if (!"suspend".equals(field) && !a.has(field)) {
                return "spec." + field;
            }
        }
        return "spec";
    }

    private static FineTuneJobSpec copy(FineTuneJobSpec spec) {
        return YAML.convertValue(spec, FineTuneJobSpec.class);
    }
}
