package dev.finetune.operator;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.FineTuneJobSpec;
import dev.finetune.api.ModelSource;
import dev.finetune.api.SchemaBounds;
import dev.finetune.api.SecretKeyRef;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import dev.finetune.api.TrainingSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The checks the CRD schema cannot express (relations between fields, Secrets that must exist), and
 * those it does express but an API server without the CRD's schema (or an old object) may let through.
 * Each problem is one message that names the field, e.g. {@code spec.training.learningRate must be > 0}.
 */
public final class FineTuneJobValidator {
    private static final Set<String> STRATEGIES = Set.of("no", "steps", "epoch");
    private static final Set<String> SCHEDULERS = Set.of("linear", "constant", "constant_with_warmup", "cosine");
    private static final Set<String> FORMATS = Set.of("auto", "jsonl", "csv", "tsv", "parquet");
    private static final Pattern HF_REPO = Pattern.compile("hf://[A-Za-z0-9][\\w.-]*(/[\\w.-]+)?");
    /**
     * A DNS-1035 label: the Service NAME-metrics needs one (no dots, a letter first), and the Job, ConfigMap and claim
     * names, DNS-1123 names, are then valid too.
     */
    private static final Pattern KUBERNETES_NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    /** More optimiser steps than a run could ever take; beyond it the step counters would overflow. */
    static final double MAX_EPOCHS = 1_000_000;


    /** Null: no cluster to look Secrets up in. */
    private final Function<String, Optional<Secret>> secrets;
    /** @param secrets looks a Secret up by name in the job's namespace */
    public FineTuneJobValidator(Function<String, Optional<Secret>> secrets) {
        this.secrets = secrets;
    }

    /**
     * The same checks for `run` on a machine without a cluster: there is no Secret to look up (a local run
     * takes its token from HF_TOKEN).
     */
    public static FineTuneJobValidator forLocalRun() {
        return new FineTuneJobValidator(null);
    }

    /** All problems of the job's spec; empty when it can run. */
    public List<String> validate(FineTuneJob job) {
        List<String> errors = new ArrayList<>();
        String name = job.getMetadata().getName();
        if (name != null && name.length() > ResourceNames.MAX_NAME_LENGTH) {
            errors.add("metadata.name must be at most " + ResourceNames.MAX_NAME_LENGTH + " characters (its Job, Service and claim names derive from it)");
        } else if (name != null && !KUBERNETES_NAME.matcher(name).matches()) {
            errors.add("metadata.name '" + name + "' is not a valid Kubernetes name: use lowercase letters, digits and '-',"
                    + " starting with a letter and ending with a letter or digit (its Job, Service and claim names derive from it)");
        }
        FineTuneJobSpec spec = job.getSpec();
        if (spec == null) {
            errors.add("spec is required");
            return errors;
        }
        // The CRD's minimum, maximum, pattern and required, from the annotations the CRD is generated from.
        List<String> schema = SchemaBounds.check(spec);
        checkModel(spec.model, errors);
        checkDataset(spec.dataset, errors);
        checkTask(spec.task, errors);
        checkTraining(spec.training, spec.dataset, errors);
        checkMetricForBestModel(spec, errors);
        if (spec.resources != null && spec.resources.gpus != null && spec.resources.gpus < 0) {
            errors.add("spec.resources.gpus must be >= 0");
        }
        if (spec.resources != null && spec.resources.gpus != null && spec.resources.gpus > 1) {
            // Refused rather than granted: the pod would hold every GPU it asks for and train on one.
            errors.add("spec.resources.gpus must be 0 or 1 (got " + spec.resources.gpus + "): the trainer runs on one "
                    + "device, data-parallel training on several GPUs is not supported yet, and the others would sit idle");
        }
        if (spec.backoffLimit != null && spec.backoffLimit < 0) {
            errors.add("spec.backoffLimit must be >= 0");
        }
        if (spec.terminationGracePeriodSeconds != null && spec.terminationGracePeriodSeconds < 1) {
            errors.add("spec.terminationGracePeriodSeconds must be >= 1 (the trainer saves a checkpoint in that time)");
        }
        if (spec.ttlSecondsAfterFinished != null && spec.ttlSecondsAfterFinished < 0) {
            errors.add("spec.ttlSecondsAfterFinished must be >= 0");
        }
        if (spec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds < 1) {
            errors.add("spec.activeDeadlineSeconds must be >= 1");
        }
        if (spec.resources != null) {
            checkQuantities(spec.resources.requests, "spec.resources.requests", errors);
            checkQuantities(spec.resources.limits, "spec.resources.limits", errors);
        }
        PodSettingsValidator.check(spec.pod, "spec.pod", errors);
        if (spec.storage != null && ResourceNames.isBlank(spec.storage.claimName)) {
            checkPositive(spec.storage.size, "spec.storage.size", errors);
        }
        // The schema's problems first, each once: a field a check above named already keeps that message.
        List<String> all = new ArrayList<>();
        for (String problem : schema) {
            String field = problem.substring(0, problem.indexOf(' '));
            if (errors.stream().noneMatch(e -> e.startsWith(field + " ") || e.startsWith(field + ":"))) {
                all.add(problem);
            }
        }
        all.addAll(errors);
        return all;
    }

    private void checkModel(ModelSource model, List<String> errors) {
        if (model == null) {
            errors.add("spec.model is required");
            return;
        }
        checkUri(model.uri, "spec.model.uri", errors);
        if (model.initialization != null && !List.of("pretrained", "random").contains(model.initialization)) {
            errors.add("spec.model.initialization must be pretrained or random (got " + model.initialization + ")");
        }
        SecretKeyRef ref = model.tokenSecretRef;
        if (ref == null) {
            return;
        }
        if (ResourceNames.isBlank(ref.name) || ResourceNames.isBlank(ref.key)) {
            errors.add("spec.model.tokenSecretRef needs both name and key");
            return;
        }
        if (secrets == null) {
            return;
        }
        Optional<Secret> secret = secrets.apply(ref.name);
        if (secret.isEmpty()) {
            errors.add("spec.model.tokenSecretRef: Secret " + ref.name + " does not exist");
        } else if (!hasKey(secret.get(), ref.key)) {
            errors.add("spec.model.tokenSecretRef: Secret " + ref.name + " has no key " + ref.key);
        }
    }

    private static boolean hasKey(Secret secret, String key) {
        return (secret.getData() != null && secret.getData().containsKey(key))
                || (secret.getStringData() != null && secret.getStringData().containsKey(key));
    }

    private void checkDataset(DatasetSource dataset, List<String> errors) {
        if (dataset == null) {
            errors.add("spec.dataset is required");
            return;
        }
        checkUri(dataset.uri, "spec.dataset.uri", errors);
        if (ResourceNames.isBlank(dataset.trainSplit)) {
            errors.add("spec.dataset.trainSplit must not be empty");
        }
        if (dataset.format != null && !FORMATS.contains(dataset.format)) {
            errors.add("spec.dataset.format must be one of auto, jsonl, csv, tsv, parquet (got " + dataset.format + ")");
        }
    }

    /** hf://ORG/NAME, https://..., file:///abs/path, pvc://relative/path or a relative path (as pvc://). */
    static void checkUri(String uri, String field, List<String> errors) {
        if (ResourceNames.isBlank(uri)) {
            errors.add(field + " is required");
        } else if (uri.startsWith("hf://")) {
            if (!HF_REPO.matcher(uri).matches()) {
                errors.add(field + " must be hf://ORG/NAME or hf://NAME (got " + uri + ")");
            }
        } else if (uri.startsWith("file://")) {
            if (!uri.startsWith("file:///")) {
                errors.add(field + " must be an absolute file:///path (got " + uri + ")");
            }
        } else if (uri.startsWith("pvc://")) {
            String path = uri.substring("pvc://".length());
            if (path.isEmpty() || path.startsWith("/") || path.contains("..")) {
                errors.add(field + " must be pvc://relative/path inside the job's volume (got " + uri + ")");
            }
        } else if (uri.startsWith("https://")) {
            if (uri.length() == "https://".length()) {
                errors.add(field + " has no host (got " + uri + ")");
            }
        } else if (uri.contains(":") || uri.startsWith("/") || uri.contains("..")) {
            errors.add(field + " must start with hf://, https://, file:// or pvc://, or be a relative path without '..' (got " + uri + ")");
        }
    }

    private static void checkTask(TaskSpec task, List<String> errors) {
        if (task == null) {
            return;
        }
        errors.addAll(TaskRules.errors(task));
        if (task.textFields == null || task.textFields.isEmpty() || task.textFields.size() > 2) {
            errors.add("spec.task.textFields must name 1 or 2 columns");
        } else if (task.textFields.stream().anyMatch(ResourceNames::isBlank)) {
            errors.add("spec.task.textFields must not contain an empty name");
        }
        if (ResourceNames.isBlank(task.labelField)) {
            errors.add("spec.task.labelField must not be empty");
        }
        if (task.maxLength != null && (task.maxLength < 8 || task.maxLength > 8192)) {
            errors.add("spec.task.maxLength must be between 8 and 8192");
        }
    }

    /** The metric must be one the task's evaluation logs (TaskRules), else the first evaluation would fail. */
    private static void checkMetricForBestModel(FineTuneJobSpec spec, List<String> errors) {
        if (spec.training == null || spec.task == null || !TaskRules.errors(spec.task).isEmpty()) {
            return; // the task's own errors are reported; its metrics are unknown
        }
        String error = TaskRules.metricError(spec.task, spec.training.metricForBestModel);
        if (error != null) {
            errors.add(error);
        }
    }

    private static void checkTraining(TrainingSpec t, DatasetSource dataset, List<String> errors) {
        if (t == null) {
            return;
        }
        boolean stepsGiven = t.maxSteps != null && t.maxSteps > 0;
        if (!stepsGiven && !(t.numTrainEpochs != null && t.numTrainEpochs > 0)) {
            errors.add("spec.training.numTrainEpochs must be > 0 unless spec.training.maxSteps is set");
        } else if (!stepsGiven && !(t.numTrainEpochs <= MAX_EPOCHS)) {
            errors.add("spec.training.numTrainEpochs must be at most " + (long) MAX_EPOCHS + " (got " + t.numTrainEpochs
                    + "): the run would never end; set spec.training.maxSteps for a fixed number of steps");
        }
        if (t.learningRate == null || !(t.learningRate > 0) || t.learningRate.isInfinite()) {
            errors.add("spec.training.learningRate must be > 0");
        }
        atLeast(t.perDeviceTrainBatchSize, 1, "spec.training.perDeviceTrainBatchSize", errors);
        atLeast(t.perDeviceEvalBatchSize, 1, "spec.training.perDeviceEvalBatchSize", errors);
        atLeast(t.gradientAccumulationSteps, 1, "spec.training.gradientAccumulationSteps", errors);
        atLeast(t.saveSteps, 1, "spec.training.saveSteps", errors);
        atLeast(t.loggingSteps, 1, "spec.training.loggingSteps", errors);
        if (t.saveTotalLimit != null) {
            atLeast(t.saveTotalLimit, 1, "spec.training.saveTotalLimit", errors);
        }
        if (t.weightDecay != null && t.weightDecay < 0) {
            errors.add("spec.training.weightDecay must be >= 0");
        }
        if (t.maxGradNorm != null && t.maxGradNorm < 0) {
            errors.add("spec.training.maxGradNorm must be >= 0");
        }
        if (t.warmupRatio != null && (t.warmupRatio < 0 || t.warmupRatio >= 1)) {
            errors.add("spec.training.warmupRatio must be in [0, 1)");
        }
        if (t.lrSchedulerType != null && !SCHEDULERS.contains(t.lrSchedulerType)) {
            errors.add("spec.training.lrSchedulerType must be one of linear, constant, constant_with_warmup, cosine (got " + t.lrSchedulerType + ")");
        }
        boolean strategiesKnown = true;
        if (t.evalStrategy == null || !STRATEGIES.contains(t.evalStrategy)) {
            errors.add("spec.training.evalStrategy must be one of no, steps, epoch (got " + t.evalStrategy + ")");
            strategiesKnown = false;
        }
        if (t.saveStrategy == null || !STRATEGIES.contains(t.saveStrategy)) {
            errors.add("spec.training.saveStrategy must be one of no, steps, epoch (got " + t.saveStrategy + ")");
            strategiesKnown = false;
        }
        if (!strategiesKnown) {
            return;
        }
        boolean evaluates = !"no".equals(t.evalStrategy);
        if (evaluates && (dataset == null || ResourceNames.isBlank(dataset.evalSplit))) {
            errors.add("spec.dataset.evalSplit is required when spec.training.evalStrategy is " + t.evalStrategy);
        }
        if (Boolean.TRUE.equals(t.loadBestModelAtEnd)) {
            if (!evaluates) {
                errors.add("spec.training.loadBestModelAtEnd needs spec.training.evalStrategy steps or epoch");
            } else if (!t.saveStrategy.equals(t.evalStrategy)) {
                errors.add("spec.training.loadBestModelAtEnd needs spec.training.saveStrategy (" + t.saveStrategy
                        + ") to equal spec.training.evalStrategy (" + t.evalStrategy + ")");
            } else if ("steps".equals(t.evalStrategy)) {
                int evalSteps = t.evalSteps != null && t.evalSteps > 0 ? t.evalSteps : t.loggingSteps == null ? 500 : t.loggingSteps;
                if (t.saveSteps != null && evalSteps > 0 && t.saveSteps % evalSteps != 0) {
                    errors.add("spec.training.saveSteps (" + t.saveSteps + ") must be a multiple of spec.training.evalSteps ("
                            + evalSteps + ") when spec.training.loadBestModelAtEnd is true");
                }
            }
        }
    }

    private static void atLeast(Integer value, int min, String field, List<String> errors) {
        if (value == null || value < min) {
            errors.add(field + " must be >= " + min);
        }
    }

    /** What the API server would refuse in a container's resources: text that is no quantity, a negative amount. */
    private static void checkQuantities(java.util.Map<String, Quantity> quantities, String field, List<String> errors) {
        if (quantities == null) {
            return;
        }
        quantities.forEach((name, quantity) -> {
            String where = field + "." + name;
            if (quantity == null) {
                errors.add(where + " must not be null");
                return;
            }
            try {
                if (quantity.getNumericalAmount().compareTo(BigDecimal.ZERO) < 0) {
                    errors.add(where + " must be >= 0 (got " + quantity + ")");
                }
            } catch (RuntimeException e) {
                errors.add(where + " is not a quantity: " + quantity + " (e.g. 8Gi, 500m, 2)");
            }
        });
    }

    private static void checkPositive(Quantity quantity, String field, List<String> errors) {
        if (quantity == null) {
            return;
        }
        try {
            if (quantity.getNumericalAmount().compareTo(BigDecimal.ZERO) <= 0) {
                errors.add(field + " must be > 0");
            }
        } catch (IllegalArgumentException e) {
            errors.add(field + " is not a quantity: " + quantity);
        }
    }
}
