package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/reference.md is the CRD rendered by CrdReference, and the CRD describes every spec field. */
class CrdReferenceTest {
    @Test
    void referenceIsRenderedFromTheCrd() throws IOException {
        GeneratedFile.checkOrWrite(CrdReference.REFERENCE, CrdReference.render(CrdReference.CRD), CrdReference.REGENERATE);
    }

    @Test
    void everySpecFieldHasADescription() throws IOException {
        List<String> undescribed = CrdReference.specFields(CrdReference.CRD).stream()
                .filter(f -> f.description().isBlank())
                .map(CrdReference.Field::path)
                .collect(Collectors.toList());
        assertEquals(List.of(), undescribed, "these spec fields have no description in " + CrdReference.CRD
                + ": add a @JsonPropertyDescription to each in src/main/java/dev/finetune/api, then "
                + "mvn -B process-test-classes && cp target/crds/" + CrdReference.CRD.getFileName() + " crds/ (then "
                + "mvn -B test -Dtest=GeneratedManifestsTest,CrdReferenceTest -Dfinetune.regenerate=true)");
    }

    @Test
    void everyHuggingFaceExceptionIsATrainingField() throws IOException {
        assertTrue(CrdReference.trainingFields(CrdReference.CRD).keySet().containsAll(CrdReference.HUGGING_FACE_ELSEWHERE.keySet()),
                "CrdReference.HUGGING_FACE_ELSEWHERE names a field spec.training lacks: " + CrdReference.HUGGING_FACE_ELSEWHERE.keySet());
    }

    @Test
    void rowsCarryTypeDefaultBoundsAndTheHuggingFaceName() throws IOException {
        String reference = CrdReference.render(CrdReference.CRD);
        assertTrue(reference.startsWith(CrdReference.INTRO), "the hand-written intro comes first");
        assertContains(reference, "| `spec.training.learningRate` | number | `5.0E-5` | > 0 |  | `learning_rate` |");
        assertContains(reference, "| `spec.training.perDeviceTrainBatchSize` | integer | `8` | ≥ 1 |  | `per_device_train_batch_size` |");
        assertContains(reference, "| `spec.training.evalStrategy` | string | `no` | `no`, `steps`, `epoch` |");
        assertContains(reference, "| `spec.training.earlyStoppingPatience` | integer |  | ≥ 1 |  | `early_stopping_patience` of `EarlyStoppingCallback`");
        assertContains(reference, "| `spec.model.uri` | string |  | pattern `^((hf\\|https\\|file\\|pvc)://.+\\|[^:/][^:]*)$` | yes |");
        assertContains(reference, "| `spec.model.tokenSecretRef.name` | string |  |  | when `tokenSecretRef` is set |");
        assertContains(reference, "| `spec.task.textFields` | []string |  | 1 to 2 items |");
        assertContains(reference, "| `spec.task.maxLength` | integer | `128` | ≥ 8; ≤ 8192 |");
        assertContains(reference, "| `spec.storage.size` | int-or-string | `20Gi` |");
        assertContains(reference, "| `spec.resources.limits` | map[string]int-or-string |");
        assertContains(reference, "| `spec.backoffLimit` | integer | `3` | ≥ 0 |");
        assertContains(reference, "| `status.phase` | string | Pending, Running, Succeeded, Failed or Suspended. |");
        List<String> headings = reference.lines().filter(l -> l.startsWith("## ")).collect(Collectors.toList());
        assertEquals(List.of("## Model (`spec.model`)", "## Dataset (`spec.dataset`)", "## Task (`spec.task`)",
                "## Training (`spec.training`)", "## Resources (`spec.resources`)", "## Scheduling (`spec.scheduling`)",
                "## Storage (`spec.storage`)", "## Pod (`spec.pod`)", "## Top level (`spec`)", "## Status (`status`)"), headings);
    }

    @Test
    void snakeCaseFollowsTrainingArguments() {
        assertEquals("per_device_train_batch_size", CrdReference.snakeCase("perDeviceTrainBatchSize"));
        assertEquals("adam_beta1", CrdReference.snakeCase("adamBeta1"));
        assertEquals("seed", CrdReference.snakeCase("seed"));
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "the reference lacks [" + expected + "]");
    }
}
