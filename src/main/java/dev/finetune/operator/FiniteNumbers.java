package dev.finetune.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.FineTuneJobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A status with every NaN or infinite number left out. JSON has no such numbers: Jackson writes them as the
 * strings "NaN" and "Infinity", which the CRD's number fields refuse (422), and that refusal would block every
 * later status write of the job. So a metric that is not a finite number is shown as absent.
 */
final class FiniteNumbers {
    private FiniteNumbers() {}

    static FineTuneJobStatus only(FineTuneJobStatus status) {
        if (status == null) {
            return null;
        }
        JsonNode tree = TrainerProgressClient.JSON.valueToTree(status);
        if (!removeNonFinite(tree)) {
            return status;
        }
        return TrainerProgressClient.JSON.convertValue(tree, FineTuneJobStatus.class);
    }

    /** Removes non-finite numbers below node; whether it removed any. */
    private static boolean removeNonFinite(JsonNode node) {
        boolean removed = false;
        if (node instanceof ObjectNode object) {
            List<String> bad = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (isNonFinite(field.getValue())) {
                    bad.add(field.getKey());
                } else {
                    removed |= removeNonFinite(field.getValue());
                }
            }
            object.remove(bad);
            removed |= !bad.isEmpty();
        } else if (node instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                if (isNonFinite(array.get(i))) {
                    array.remove(i);
                    removed = true;
                } else {
                    removed |= removeNonFinite(array.get(i));
                }
            }
        }
        return removed;
    }

    private static boolean isNonFinite(JsonNode node) {
        return node.isNumber() && (node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue());
    }
}
