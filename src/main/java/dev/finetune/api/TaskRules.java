package dev.finetune.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What makes a {@link TaskSpec} coherent, in one place for the operator's validator and the trainer, so a job the
 * operator accepts is one the trainer runs: the task type, problem_type and numLabels that go together.
 */
public final class TaskRules {
    public static final String SEQUENCE_CLASSIFICATION = "SequenceClassification";
    public static final String TOKEN_CLASSIFICATION = "TokenClassification";
    public static final String SINGLE_LABEL = "single_label_classification";
    public static final String MULTI_LABEL = "multi_label_classification";
    public static final String REGRESSION = "regression";

    private TaskRules() {}

    /** The type, SequenceClassification when unset. */
    public static String type(TaskSpec task) {
        return task.type == null ? SEQUENCE_CLASSIFICATION : task.type;
    }

    public static boolean isTokenClassification(TaskSpec task) {
        return TOKEN_CLASSIFICATION.equals(type(task));
    }

    /**
     * problem_type as transformers infers it when unset: regression for one label, else single-label
     * classification (labels that are lists make transformers pick multi-label; here that is said in the spec).
     * Token classification is always single-label per token.
     */
    public static String problemType(TaskSpec task) {
        if (task.problemType != null) {
            return task.problemType;
        }
        if (isTokenClassification(task)) {
            return SINGLE_LABEL;
        }
        return task.numLabels != null && task.numLabels == 1 ? REGRESSION : SINGLE_LABEL;
    }

    /** Every rule the task breaks, each naming its field; empty when it is coherent. */
    public static List<String> errors(TaskSpec task) {
        List<String> errors = new ArrayList<>();
        String type = type(task);
        if (!SEQUENCE_CLASSIFICATION.equals(type) && !TOKEN_CLASSIFICATION.equals(type)) {
            errors.add("spec.task.type must be SequenceClassification or TokenClassification (got " + type + ")");
            return errors;
        }
        String problem = task.problemType;
        if (problem != null && !SINGLE_LABEL.equals(problem) && !MULTI_LABEL.equals(problem) && !REGRESSION.equals(problem)) {
            errors.add("spec.task.problemType must be single_label_classification, multi_label_classification or"
                    + " regression (got " + problem + ")");
            return errors;
        }
        if (task.numLabels == null || task.numLabels < 1) {
            errors.add("spec.task.numLabels must be >= 1 (got " + task.numLabels + ")");
            return errors;
        }
        String resolved = problemType(task);
        if (TOKEN_CLASSIFICATION.equals(type)) {
            if (problem != null && !SINGLE_LABEL.equals(problem)) {
                errors.add("spec.task.problemType must be single_label_classification (or unset) for TokenClassification"
                        + " (got " + problem + ")");
            }
            if (task.numLabels < 2) {
                errors.add("spec.task.numLabels must be >= 2 for TokenClassification (got " + task.numLabels + ")");
            }
            if (task.tokensField == null || task.tokensField.isBlank()) {
                errors.add("spec.task.tokensField must name the column of words");
            }
            if (task.tagsField == null || task.tagsField.isBlank()) {
                errors.add("spec.task.tagsField must name the column of tags");
            }
        } else if (!REGRESSION.equals(resolved) && task.numLabels < 2) {
            errors.add("spec.task.numLabels must be >= 2 for " + resolved + " (got " + task.numLabels
                    + "); numLabels 1 is a regression");
        }
        if (task.labelNames != null && task.labelNames.size() != task.numLabels) {
            errors.add("spec.task.labelNames has " + task.labelNames.size() + " names but spec.task.numLabels is " + task.numLabels);
        }
        return errors;
    }
}
