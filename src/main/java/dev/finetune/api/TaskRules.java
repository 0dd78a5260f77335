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

    /** Whether the task tags every word (TokenClassification) rather than the row. */
    public static boolean isTokenClassification(TaskSpec task) {
        return TOKEN_CLASSIFICATION.equals(type(task));
    }

    /**
     * problem_type as transformers infers it when unset: regression for one label, else single-label
     * classification (labels that are lists make transformers pick multi-label; here that is said in the spec).
     */
    public static String problemType(TaskSpec task) {
        if (task.problemType != null) {
            return task.problemType;
        }
        return task.numLabels != null && task.numLabels == 1 ? REGRESSION : SINGLE_LABEL;
    }

    /**
     * The problem_type a job trains with, given its model's config.json {@code problem_type} (null when it has none):
     * spec.task.problemType when set; else the checkpoint's, as from_pretrained keeps config.json's problem_type,
     * when it fits numLabels (a classification needs two labels or more); else as {@link #problemType(TaskSpec)}
     * infers it.
     */
    public static String problemType(TaskSpec task, String checkpointProblemType) {
        if (task.problemType != null || checkpointProblemType == null) {
            return problemType(task);
        }
        boolean fits = REGRESSION.equals(checkpointProblemType)
                || ((SINGLE_LABEL.equals(checkpointProblemType) || MULTI_LABEL.equals(checkpointProblemType))
                        && task.numLabels != null && task.numLabels >= 2);
        return fits ? checkpointProblemType : problemType(task);
    }

    /**
     * The evaluation metrics the trainer logs for this task (without the eval_ prefix), the names metricForBestModel
     * may take: single-label has f1 for two classes and macro_f1 for more (as the trainer's metrics), multi-label
     * subset accuracy and micro/macro F1, regression mse and GLUE STS-B's pearson and spearmanr.
     */
    public static List<String> metrics(TaskSpec task) {
        if (isTokenClassification(task)) {
            // As run_ner.py reports seqeval's overall_* scores: entity-level, and accuracy over the labelled words.
            return List.of("loss", "precision", "recall", "f1", "accuracy");
        }
        return switch (problemType(task)) {
            case MULTI_LABEL -> List.of("loss", "accuracy", "f1", "macro_f1");
            case REGRESSION -> List.of("loss", "mse", "pearson", "spearmanr");
            default -> task.numLabels != null && task.numLabels == 2
                    ? List.of("loss", "accuracy", "f1", "matthews_correlation")
                    : List.of("loss", "accuracy", "macro_f1", "matthews_correlation");
        };
    }

    /** Why {@code metricForBestModel} (eval_ prefix optional, null: loss) is not a metric of this task; null if it is. */
    public static String metricError(TaskSpec task, String metricForBestModel) {
        String metric = metricForBestModel == null ? "loss" : metricForBestModel.replaceFirst("^eval_", "");
        List<String> allowed = metrics(task);
        if (allowed.contains(metric)) {
            return null;
        }
        return "spec.training.metricForBestModel must be one of " + String.join(", ", allowed) + " for "
                + (isTokenClassification(task) ? TOKEN_CLASSIFICATION : problemType(task)) + (!isTokenClassification(task) && SINGLE_LABEL.equals(problemType(task)) ? " with " + task.numLabels + " labels" : "")
                + " (got " + metricForBestModel + ")";
    }

    /** Every rule the task breaks, each naming its field; empty when it is coherent. */
    public static List<String> errors(TaskSpec task) {
        List<String> errors = new ArrayList<>();
        String type = type(task);
        if (!SEQUENCE_CLASSIFICATION.equals(type) && !TOKEN_CLASSIFICATION.equals(type)) {
            // Only what the trainer runs: the validator and the trainer share this rule.
            errors.add("spec.task.type must be SequenceClassification or TokenClassification (got " + type + ")");
            return errors;
        }
        if (TOKEN_CLASSIFICATION.equals(type)) {
            tokenClassificationErrors(task, errors);
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
        if (!REGRESSION.equals(resolved) && task.numLabels < 2) {
            errors.add("spec.task.numLabels must be >= 2 for " + resolved + " (got " + task.numLabels
                    + "); numLabels 1 is a regression");
        }
        if (task.labelNames != null && task.labelNames.size() != task.numLabels) {
            errors.add("spec.task.labelNames has " + task.labelNames.size() + " names but spec.task.numLabels is " + task.numLabels);
        }
        return errors;
    }

    /**
     * TokenClassification: the words and tags columns, and the tag set in labelNames (its order gives the ids, as
     * run_ner.py's label_list), numLabels its size; problem_type does not apply (the loss is always cross-entropy).
     */
    private static void tokenClassificationErrors(TaskSpec task, List<String> errors) {
        if (task.problemType != null && !SINGLE_LABEL.equals(task.problemType)) {
            errors.add("spec.task.problemType does not apply to TokenClassification (got " + task.problemType
                    + "): every word has one tag");
        }
        if (task.tokensField == null || task.tokensField.isBlank()) {
            errors.add("spec.task.tokensField must name the column of words");
        }
        if (task.tagsField == null || task.tagsField.isBlank()) {
            errors.add("spec.task.tagsField must name the column of tags");
        }
        if (task.tokensField != null && task.tokensField.equals(task.tagsField)) {
            errors.add("spec.task.tokensField and spec.task.tagsField must be different columns (both " + task.tokensField + ")");
        }
        if (task.labelNames == null || task.labelNames.isEmpty()) {
            errors.add("spec.task.labelNames is required for TokenClassification: the tag set, e.g. [O, B-PER, I-PER]");
            return;
        }
        if (task.labelNames.stream().distinct().count() != task.labelNames.size()) {
            errors.add("spec.task.labelNames must not repeat a tag (got " + task.labelNames + ")");
        }
        if (task.numLabels == null || task.numLabels != task.labelNames.size()) {
            errors.add("spec.task.labelNames has " + task.labelNames.size() + " names but spec.task.numLabels is "
                    + task.numLabels + " (set numLabels to the size of the tag set)");
        }
    }
}
