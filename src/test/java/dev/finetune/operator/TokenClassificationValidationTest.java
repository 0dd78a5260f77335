package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.RunId;
import dev.finetune.api.TaskSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The operator's checks of a TokenClassification task (api/TaskRules, which the trainer applies too). */
class TokenClassificationValidationTest {
    private final FineTuneJobValidator validator = new FineTuneJobValidator(name -> Optional.empty());

    private static FineTuneJob ner(Consumer<TaskSpec> change) {
        FineTuneJob job = Jobs.mrpc("ner");
        TaskSpec task = job.getSpec().task;
        task.type = "TokenClassification";
        task.labelNames = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
        task.numLabels = 5;
        job.getSpec().training.metricForBestModel = "f1";
        change.accept(task);
        return job;
    }

    @Test
    void aTagSetWithItsSizeIsValidAndTheColumnsDefaultToConll2003s() {
        FineTuneJob job = ner(task -> {});
        assertEquals(List.of(), validator.validate(job));
        assertEquals("tokens", job.getSpec().task.tokensField);
        assertEquals("ner_tags", job.getSpec().task.tagsField);
        for (String metric : List.of("loss", "precision", "recall", "f1", "accuracy", "eval_f1")) {
            job.getSpec().training.metricForBestModel = metric;
            assertEquals(List.of(), validator.validate(job), metric);
        }
    }

    @Test
    void eachBrokenRuleIsReportedByItsField() {
        assertErrors(ner(t -> t.labelNames = null),
                "spec.task.labelNames is required for TokenClassification: the tag set, e.g. [O, B-PER, I-PER]");
        assertErrors(ner(t -> t.numLabels = 2),
                "spec.task.labelNames has 5 names but spec.task.numLabels is 2 (set numLabels to the size of the tag set)");
        assertErrors(ner(t -> t.labelNames = List.of("O", "B-PER", "O", "B-LOC", "I-LOC")),
                "spec.task.labelNames must not repeat a tag (got [O, B-PER, O, B-LOC, I-LOC])");
        assertErrors(ner(t -> t.problemType = "multi_label_classification"),
                "spec.task.problemType does not apply to TokenClassification (got multi_label_classification): every word has one tag");
        assertErrors(ner(t -> t.tagsField = "tokens"),
                "spec.task.tokensField and spec.task.tagsField must be different columns (both tokens)");
        assertErrors(ner(t -> t.tokensField = " "), "spec.task.tokensField must name the column of words");
        assertErrors(ner(t -> t.type = "QuestionAnswering"),
                "spec.task.type must be SequenceClassification or TokenClassification (got QuestionAnswering)");
        FineTuneJob mcc = ner(t -> {});
        mcc.getSpec().training.metricForBestModel = "matthews_correlation";
        assertErrors(mcc, "spec.training.metricForBestModel must be one of loss, precision, recall, f1, accuracy for"
                + " TokenClassification (got matthews_correlation)");
    }

    @Test
    void theNewFieldsAtTheirDefaultsLeaveTheRunFolderOfASequenceTaskAsItWas() {
        FineTuneJob job = Jobs.mrpc("bert-mrpc");
        String before = RunId.of(job.getSpec());
        job.getSpec().task.tokensField = "tokens";
        job.getSpec().task.tagsField = "ner_tags";
        assertEquals(before, RunId.of(job.getSpec()));
        job.getSpec().task.tagsField = "tags";
        assertEquals(false, before.equals(RunId.of(job.getSpec())), "a changed field is a new run");
    }

    private void assertErrors(FineTuneJob job, String... expected) {
        assertEquals(List.of(expected), validator.validate(job));
    }
}
