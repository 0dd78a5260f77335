package dev.finetune.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.FineTuneJob;
import dev.finetune.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class FineTuneJobValidatorTest {
    private static final Secret TOKEN = new SecretBuilder().withNewMetadata().withName("hf-token").endMetadata()
            .withData(Map.of("token", "aGZfeHh4")).build();
    private final FineTuneJobValidator validator =
            new FineTuneJobValidator(name -> "hf-token".equals(name) ? Optional.of(TOKEN) : Optional.empty());

    @Test
    void theTutorialJobIsValid() {
        assertEquals(List.of(), validator.validate(Jobs.mrpc("bert-mrpc")));
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                bad("spec.training.learningRate must be > 0", s -> s.getSpec().training.learningRate = 0.0),
                bad("spec.dataset.evalSplit is required when spec.training.evalStrategy is epoch", s -> s.getSpec().dataset.evalSplit = null),
                bad("spec.training.loadBestModelAtEnd needs spec.training.saveStrategy (steps) to equal spec.training.evalStrategy (epoch)",
                        s -> s.getSpec().training.loadBestModelAtEnd = true),
                bad("spec.training.saveSteps (500) must be a multiple of spec.training.evalSteps (300)", s -> {
                    s.getSpec().training.loadBestModelAtEnd = true;
                    s.getSpec().training.evalStrategy = "steps";
                    s.getSpec().training.evalSteps = 300;
                }),
                bad("spec.training.metricForBestModel must be one of", s -> s.getSpec().training.metricForBestModel = "bleu"),
                bad("spec.task.textFields must name 1 or 2 columns", s -> s.getSpec().task.textFields = List.of("a", "b", "c")),
                bad("spec.task.labelNames has 3 names but spec.task.numLabels is 2", s -> s.getSpec().task.labelNames = List.of("a", "b", "c")),
                bad("spec.model.uri must start with hf://, https://, file:// or pvc://, or be a relative path without '..' (got s3://bucket/bert)", s -> s.getSpec().model.uri = "s3://bucket/bert"),
                bad("spec.dataset.uri must be an absolute file:///path", s -> s.getSpec().dataset.uri = "file://data/mrpc"),
                bad("spec.dataset.uri must be pvc://relative/path", s -> s.getSpec().dataset.uri = "pvc://../etc"),
                bad("spec.model.initialization must be pretrained or random (got zeros)", s -> s.getSpec().model.initialization = "zeros"),
                bad("spec.model.tokenSecretRef: Secret missing does not exist", s -> s.getSpec().model.tokenSecretRef = ref("missing", "token")),
                bad("spec.model.tokenSecretRef: Secret hf-token has no key password", s -> s.getSpec().model.tokenSecretRef = ref("hf-token", "password")),
                bad("spec.training.numTrainEpochs must be > 0 unless spec.training.maxSteps is set", s -> s.getSpec().training.numTrainEpochs = 0.0),
                bad("spec.training.evalStrategy must be one of no, steps, epoch (got sometimes)", s -> s.getSpec().training.evalStrategy = "sometimes"),
                bad("spec.resources.gpus must be 0 or 1 (got 4)", s -> s.getSpec().resources.gpus = 4),
                bad("spec.terminationGracePeriodSeconds must be >= 1", s -> s.getSpec().terminationGracePeriodSeconds = 0),
                bad("spec.storage.size must be > 0", s -> s.getSpec().storage.size = new Quantity("0")),
                bad("metadata.name must be at most 53 characters", s -> s.getMetadata().setName("x".repeat(60))),
                bad("spec.pod.env[0].name HF_HOME is set by the operator", s -> s.getSpec().pod.env = List.of(new io.fabric8.kubernetes.api.model.EnvVar("HF_HOME", "/tmp", null))),
                bad("spec.pod.env[0].name HF_TOKEN is set by the operator (use spec.model.tokenSecretRef)", s -> s.getSpec().pod.env = List.of(new io.fabric8.kubernetes.api.model.EnvVar("HF_TOKEN", "hf_x", null))),
                bad("spec.pod.env[1].name HF_ENDPOINT is given twice", s -> s.getSpec().pod.env = List.of(
                        new io.fabric8.kubernetes.api.model.EnvVar("HF_ENDPOINT", "a", null), new io.fabric8.kubernetes.api.model.EnvVar("HF_ENDPOINT", "b", null))),
                bad("spec.pod.env[0].name must be a variable name", s -> s.getSpec().pod.env = List.of(new io.fabric8.kubernetes.api.model.EnvVar("A=B", "x", null))),
                bad("spec.pod.envFrom[0] needs exactly one of secretRef.name and configMapRef.name", s -> s.getSpec().pod.envFrom = List.of(new io.fabric8.kubernetes.api.model.EnvFromSource())),
                bad("spec.pod.labels: finetune.dev/job is set by the operator", s -> s.getSpec().pod.labels = Map.of("finetune.dev/job", "other")),
                bad("spec.pod.labels: job-name is set by the Job controller", s -> s.getSpec().pod.labels = Map.of("job-name", "other")),
                bad("spec.pod.labels: key team a must be [prefix/]name", s -> s.getSpec().pod.labels = Map.of("team a", "x")),
                bad("spec.pod.labels.team: value a b must be at most 63 characters", s -> s.getSpec().pod.labels = Map.of("team", "a b")),
                bad("spec.pod.annotations: prometheus.io/port is set by the operator", s -> s.getSpec().pod.annotations = Map.of("prometheus.io/port", "9000")),
                bad("spec.pod.imagePullSecrets[0].name must not be empty", s -> s.getSpec().pod.imagePullSecrets = List.of(new io.fabric8.kubernetes.api.model.LocalObjectReference(""))),
                bad("spec.pod.serviceAccountName must be a DNS subdomain name", s -> s.getSpec().pod.serviceAccountName = "Trainer_SA"),
                bad("spec.activeDeadlineSeconds must be >= 1", s -> s.getSpec().activeDeadlineSeconds = 0L),
                // Per problem type: the metrics it logs, the labels it needs.
                bad("spec.training.metricForBestModel must be one of loss, mse, pearson, spearmanr for regression (got accuracy)", s -> {
                    s.getSpec().task.numLabels = 1;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                    s.getSpec().training.metricForBestModel = "accuracy";
                }),
                bad("spec.training.metricForBestModel must be one of loss, accuracy, f1, macro_f1 for multi_label_classification"
                        + " (got eval_matthews_correlation)", s -> {
                    s.getSpec().task.problemType = "multi_label_classification";
                    s.getSpec().training.metricForBestModel = "eval_matthews_correlation";
                }),
                bad("spec.training.metricForBestModel must be one of loss, accuracy, f1, matthews_correlation for"
                        + " single_label_classification with 2 labels (got pearson)", s -> s.getSpec().training.metricForBestModel = "pearson"),
                bad("spec.training.metricForBestModel must be one of loss, accuracy, macro_f1, matthews_correlation for"
                        + " single_label_classification with 3 labels (got f1)", s -> {
                    s.getSpec().task.numLabels = 3;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                    s.getSpec().training.metricForBestModel = "f1";
                }),
                bad("spec.task.numLabels must be >= 2 for multi_label_classification (got 1); numLabels 1 is a regression", s -> {
                    s.getSpec().task.problemType = "multi_label_classification";
                    s.getSpec().task.numLabels = 1;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                }),
                bad("spec.task.numLabels must be >= 2 for single_label_classification (got 1)", s -> {
                    s.getSpec().task.problemType = "single_label_classification";
                    s.getSpec().task.numLabels = 1;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                }),
                bad("spec.task.problemType must be single_label_classification, multi_label_classification or regression"
                        + " (got multi_class)", s -> s.getSpec().task.problemType = "multi_class"),
                bad("spec.task.labelNames has 2 names but spec.task.numLabels is 4", s -> {
                    s.getSpec().task.problemType = "multi_label_classification";
                    s.getSpec().task.numLabels = 4;
                    s.getSpec().task.labelNames = List.of("sports", "politics");
                }),
                bad("spec.task.labelNames has 2 names but spec.task.numLabels is 1", s -> {
                    s.getSpec().task.numLabels = 1;
                    s.getSpec().task.labelNames = List.of("low", "high");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void aBadSpecIsReportedByTheFieldItConcerns(String expected, Consumer<FineTuneJob> breakIt) {
        FineTuneJob job = Jobs.mrpc("bert-mrpc");
        breakIt.accept(job);
        List<String> errors = validator.validate(job);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(expected), errors.get(0));
    }

    static Stream<Arguments> goodTasks() {
        return Stream.of(
                good("numLabels 1 alone is a regression, scored on pearson", s -> {
                    s.getSpec().task.numLabels = 1;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                    s.getSpec().training.metricForBestModel = "pearson";
                }),
                good("a regression of two scores on eval_spearmanr", s -> {
                    s.getSpec().task.problemType = "regression";
                    s.getSpec().task.numLabels = 2;
                    s.getSpec().training.metricForBestModel = "eval_spearmanr";
                }),
                good("multi-label on micro F1 with its label names", s -> {
                    s.getSpec().task.problemType = "multi_label_classification";
                    s.getSpec().task.numLabels = 3;
                    s.getSpec().task.labelNames = List.of("sports", "politics", "tech");
                    s.getSpec().training.metricForBestModel = "f1";
                }),
                good("multi-label on macro F1", s -> {
                    s.getSpec().task.problemType = "multi_label_classification";
                    s.getSpec().training.metricForBestModel = "macro_f1";
                }),
                good("three classes on macro F1", s -> {
                    s.getSpec().task.numLabels = 3;
                    s.getSpec().task.labelNames = null; // the tutorial's two names
                    s.getSpec().training.metricForBestModel = "macro_f1";
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodTasks")
    void eachProblemTypeIsAcceptedWithItsOwnMetrics(String name, Consumer<FineTuneJob> change) {
        FineTuneJob job = Jobs.mrpc("tasks");
        change.accept(job);
        assertEquals(List.of(), validator.validate(job));
    }

    private static Arguments good(String name, Consumer<FineTuneJob> change) {
        return Arguments.of(name, change);
    }

    @Test
    void anExistingSecretWithTheKeyIsAccepted() {
        FineTuneJob job = Jobs.mrpc("gated");
        job.getSpec().model.tokenSecretRef = ref("hf-token", "token");
        assertEquals(List.of(), validator.validate(job));
    }

    @Test
    void podSettingsACLusterNeedsAreAccepted() {
        FineTuneJob job = Jobs.mrpc("mirrored");
        job.getSpec().pod.env = List.of(new io.fabric8.kubernetes.api.model.EnvVar("HF_ENDPOINT", "https://hub.internal", null));
        job.getSpec().pod.labels = Map.of("team", "nlp", "example.com/cost-center", "a-12");
        job.getSpec().pod.annotations = Map.of("sidecar.istio.io/inject", "false");
        job.getSpec().pod.serviceAccountName = "trainer";
        job.getSpec().activeDeadlineSeconds = 86400L;
        assertEquals(List.of(), validator.validate(job));
    }

    @Test
    void stepsOnlyJobNeedsNoEpochs() {
        FineTuneJob job = Jobs.mrpc("short");
        job.getSpec().training.numTrainEpochs = 0.0;
        job.getSpec().training.maxSteps = 100;
        assertEquals(List.of(), validator.validate(job));
    }

    private static Arguments bad(String message, Consumer<FineTuneJob> change) {
        return Arguments.of(message, change);
    }

    private static SecretKeyRef ref(String name, String key) {
        SecretKeyRef ref = new SecretKeyRef();
        ref.name = name;
        ref.key = key;
        return ref;
    }
}
