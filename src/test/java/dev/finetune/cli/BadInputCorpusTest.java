package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12's corpus: bad manifests, data files, model folders, tokenizers, output paths and `predict` flags, each run
 * through the real CLI in this JVM. Every case must end before training with its exit code (2 unless said), one message
 * naming the field, flag or file:line, no stack trace, and nothing trained in its output folder.
 * Each case starts from a copy of examples/quickstart (its manifest, 2-layer model and data) in its own folder.
 */
class BadInputCorpusTest {
    private static final Path QUICKSTART = Path.of("examples", "quickstart").toAbsolutePath();
    private static final String MANIFEST = readString(Path.of("examples", "quickstart.yaml"));
    private static Path trainedModel;
    private static Path trainedModelRoot;

    @TempDir
    Path tmp;

    record Case(String name, int exitCode, String fragment, Setup setup) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Setup {
        List<String> args(Workspace w) throws Exception;
    }

    static Stream<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        manifests(cases);
        data(cases);
        problemTypes(cases);
        modelFolders(cases);
        outputs(cases);
        predict(cases);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsBeforeTrainingWithItsCodeAMessageNamingTheCauseAndNoStackTrace(Case c) throws Exception {
        Workspace w = new Workspace(tmp);
        List<String> args = c.setup().args(w);

        CliRun.Printed result = CliRun.printed(args);

        String shown = result.output();
        assertEquals(c.exitCode(), result.code(), c.name() + ": exit code of " + args + "; output:\n" + shown);
        assertTrue(shown.contains(c.fragment()), c.name() + ": the message names the cause (" + c.fragment() + "):\n" + shown);
        assertFalse(shown.contains("\tat ") || shown.contains("Exception") || shown.contains("Caused by"),
                c.name() + ": no stack trace and no exception class names:\n" + shown);
        assertFalse(trainedSomething(w.out()), c.name() + ": nothing trained into " + w.out());
    }

    // ---------------------------------------------------------------------------------------------- manifests

    private static void manifests(List<Case> cases) {
        cases.add(new Case("manifest: no such file", 2, "missing.yaml: no such file",
                w -> w.run(w.root().resolve("missing.yaml"))));
        cases.add(new Case("manifest: a folder", 2, "is a folder", w -> w.run(w.root().resolve("quickstart"))));
        cases.add(text("manifest: empty file", "", "empty manifest"));
        cases.add(text("manifest: only a comment", "# nothing here\n", "empty manifest"));
        cases.add(text("manifest: a YAML list", "- " + MANIFEST.replace("\n", "\n  "), "found a list"));
        cases.add(text("manifest: a scalar", "just some words\n", "expected a FineTuneJob mapping"));
        cases.add(edit("manifest: kind Job", m -> replace(m, "kind: FineTuneJob", "kind: Job"), "kind is Job, expected FineTuneJob"));
        cases.add(edit("manifest: no kind", m -> replace(m, "kind: FineTuneJob\n", ""), "kind"));
        cases.add(edit("manifest: wrong apiVersion", m -> replace(m, "apiVersion: finetune.dev/v1alpha1", "apiVersion: finetune.dev/v9"),
                "apiVersion"));
        cases.add(edit("manifest: unclosed flow sequence", m -> replace(m, "textFields: [sentence1, sentence2]", "textFields: [sentence1, sentence2"),
                "job.yaml:"));
        cases.add(edit("manifest: tab indentation", m -> replace(m, "    numLabels: 2", "\tnumLabels: 2"), "job.yaml:"));
        cases.add(edit("manifest: bad indentation", m -> replace(m, "    numLabels: 2", "      numLabels: 2"), "job.yaml:"));
        cases.add(edit("manifest: duplicate key", training("learningRate: 2.0e-3"), "learningRate"));
        cases.add(edit("manifest: duplicate section", m -> m + "  task:\n    numLabels: 3\n", "task"));
        cases.add(edit("manifest: misspelt field", training("learningRat: 2.0e-3"), "learningRat"));
        cases.add(edit("manifest: misspelt section", m -> replace(m, "  training:", "  trainig:"), "trainig"));
        cases.add(edit("manifest: unknown top-level field", m -> m + "specs: {}\n", "specs"));
        cases.add(edit("manifest: float in an integer field", set("perDeviceTrainBatchSize: 16", "perDeviceTrainBatchSize: 8.5"),
                "perDeviceTrainBatchSize"));
        cases.add(edit("manifest: text in an integer field", set("perDeviceTrainBatchSize: 16", "perDeviceTrainBatchSize: sixteen"),
                "perDeviceTrainBatchSize"));
        cases.add(edit("manifest: quoted number in an integer field", set("numLabels: 2", "numLabels: \"2\""), "numLabels"));
        cases.add(edit("manifest: text in a float field", set("learningRate: 1.0e-3", "learningRate: fast"), "learningRate"));
        cases.add(edit("manifest: text in a boolean field", training("fp16: maybe"), "fp16"));
        cases.add(edit("manifest: list in a string field", set("labelField: label", "labelField: [label]"), "labelField"));
        cases.add(edit("manifest: mapping in a list field", set("textFields: [sentence1, sentence2]", "textFields: {a: b}"), "textFields"));
        cases.add(edit("manifest: integer overflow", training("maxSteps: 99999999999"), "maxSteps"));
        cases.add(edit("manifest: null section", m -> replace(m, "  task:\n    type: SequenceClassification\n    numLabels: 2\n"
                + "    textFields: [sentence1, sentence2]\n    labelField: label\n    maxLength: 64\n", "  task: null\n"), "spec.task"));
        cases.add(edit("manifest: null field", set("evalStrategy: epoch", "evalStrategy: null"), "evalStrategy"));
        cases.add(edit("manifest: tilde null field", set("seed: 42", "seed: ~"), "seed"));
        cases.add(new Case("manifest: not UTF-8", 2, "job.yaml:9: not UTF-8", w -> {
            byte[] bytes = MANIFEST.replace("spec:", "spec: #\u00e9").getBytes(StandardCharsets.ISO_8859_1);
            Files.write(w.root().resolve("job.yaml"), bytes);
            return w.run(w.root().resolve("job.yaml"));
        }));
        cases.add(edit("metadata: no name", m -> replace(m, "  name: quickstart\n", "  labels: {a: b}\n"), "metadata.name is required"));
        cases.add(edit("metadata: upper-case name", m -> replace(m, "name: quickstart", "name: QuickStart"), "metadata.name"));
        cases.add(edit("metadata: name with underscore", m -> replace(m, "name: quickstart", "name: quick_start"), "metadata.name"));
        cases.add(edit("metadata: name too long", m -> replace(m, "name: quickstart", "name: " + "a".repeat(80)), "metadata.name"));
        cases.add(edit("spec: missing", m -> m.substring(0, m.indexOf("spec:")), "spec.model.uri is required"));
        cases.add(edit("spec.model: missing", m -> replace(m, "  model:\n    uri: quickstart/model\n    initialization: random\n", ""),
                "spec.model"));
        cases.add(edit("spec.model.uri: missing", m -> replace(m, "    uri: quickstart/model\n", ""), "spec.model.uri is required"));
        cases.add(edit("spec.model.uri: unknown scheme", set("uri: quickstart/model", "uri: ftp://example.com/model"), "spec.model.uri"));
        cases.add(edit("spec.model.uri: hf with three parts", set("uri: quickstart/model", "uri: hf://a/b/c"), "spec.model.uri must be hf://"));
        cases.add(edit("spec.model.uri: relative file://", set("uri: quickstart/model", "uri: file://quickstart/model"), "spec.model.uri"));
        cases.add(edit("spec.model.uri: escapes with ..", set("uri: quickstart/model", "uri: ../model"), "spec.model.uri"));
        cases.add(edit("spec.model.uri: pvc with ..", set("uri: quickstart/model", "uri: pvc://../model"), "spec.model.uri"));
        cases.add(edit("spec.model.uri: https without host", set("uri: quickstart/model", "uri: https:///model"), "spec.model.uri"));
        cases.add(edit("spec.model.initialization: unknown", set("initialization: random", "initialization: zeros"),
                "spec.model.initialization must be pretrained or random (got zeros)"));
        cases.add(edit("spec.model.tokenSecretRef: no key", model("tokenSecretRef: {name: hf-token}"), "spec.model.tokenSecretRef"));
        cases.add(edit("spec.dataset.uri: missing", m -> replace(m, "    uri: quickstart/data\n", ""), "spec.dataset.uri is required"));
        cases.add(edit("spec.dataset.uri: unknown scheme", set("uri: quickstart/data", "uri: s3://bucket/data"), "spec.dataset.uri"));
        cases.add(edit("spec.dataset.trainSplit: empty", set("trainSplit: train", "trainSplit: \"\""), "spec.dataset.trainSplit"));
        cases.add(edit("spec.dataset.format: unknown", dataset("format: xml"), "spec.dataset.format must be one of"));
        cases.add(edit("spec.dataset.evalSplit: missing for epoch evaluation", m -> replace(m, "    evalSplit: validation\n", ""),
                "spec.dataset.evalSplit is required when spec.training.evalStrategy is epoch"));
        cases.add(edit("spec.task.type: unknown", set("type: SequenceClassification", "type: QuestionAnswering"), "spec.task.type"));
        // numLabels 1 alone is a regression (as transformers infers it); with single-label classification it is wrong
        cases.add(edit("spec.task.numLabels: 1 for single-label classification",
                set("numLabels: 2", "numLabels: 1\n    problemType: single_label_classification"), "spec.task.numLabels"));
        cases.add(edit("spec.task.numLabels: negative", set("numLabels: 2", "numLabels: -3"), "spec.task.numLabels"));
        cases.add(edit("spec.task.textFields: three", set("textFields: [sentence1, sentence2]", "textFields: [a, b, c]"), "spec.task.textFields"));
        cases.add(edit("spec.task.textFields: none", set("textFields: [sentence1, sentence2]", "textFields: []"), "spec.task.textFields"));
        cases.add(edit("spec.task.textFields: empty name", set("textFields: [sentence1, sentence2]", "textFields: [sentence1, \"\"]"),
                "spec.task.textFields must not contain an empty name"));
        cases.add(edit("spec.task.labelField: empty", set("labelField: label", "labelField: \"\""), "spec.task.labelField"));
        cases.add(edit("spec.task.labelNames: too many", task("labelNames: [a, b, c]"), "spec.task.labelNames"));
        cases.add(edit("spec.task.maxLength: too small", set("maxLength: 64", "maxLength: 4"), "spec.task.maxLength"));
        cases.add(edit("spec.task.maxLength: too large for any model", set("maxLength: 64", "maxLength: 100000"), "spec.task.maxLength"));
        cases.add(edit("spec.training.numTrainEpochs: 0", set("numTrainEpochs: 3", "numTrainEpochs: 0"), "spec.training.numTrainEpochs"));
        cases.add(edit("spec.training.numTrainEpochs: negative", set("numTrainEpochs: 3", "numTrainEpochs: -1"), "spec.training.numTrainEpochs"));
        cases.add(edit("spec.training.numTrainEpochs: overflows the steps", set("numTrainEpochs: 3", "numTrainEpochs: 1.0e12"),
                "spec.training.numTrainEpochs must be at most"));
        cases.add(edit("spec.training.numTrainEpochs: infinite", set("numTrainEpochs: 3", "numTrainEpochs: .inf"),
                "job.yaml:24: spec.training.numTrainEpochs: '.inf' is not a finite number"));
        cases.add(edit("spec.training.learningRate: 0", set("learningRate: 1.0e-3", "learningRate: 0.0"), "spec.training.learningRate must be > 0"));
        cases.add(edit("spec.training.learningRate: negative", set("learningRate: 1.0e-3", "learningRate: -1.0e-3"), "spec.training.learningRate"));
        cases.add(edit("spec.training.learningRate: NaN", set("learningRate: 1.0e-3", "learningRate: .nan"), "spec.training.learningRate: '.nan' is not a finite number"));
        cases.add(edit("spec.training.perDeviceTrainBatchSize: 0", set("perDeviceTrainBatchSize: 16", "perDeviceTrainBatchSize: 0"),
                "spec.training.perDeviceTrainBatchSize"));
        cases.add(edit("spec.training.perDeviceEvalBatchSize: negative", set("perDeviceEvalBatchSize: 32", "perDeviceEvalBatchSize: -4"),
                "spec.training.perDeviceEvalBatchSize"));
        cases.add(edit("spec.training.gradientAccumulationSteps: 0", training("gradientAccumulationSteps: 0"),
                "spec.training.gradientAccumulationSteps"));
        cases.add(edit("spec.training.weightDecay: negative", training("weightDecay: -0.1"), "spec.training.weightDecay"));
        cases.add(edit("spec.training.maxGradNorm: negative", training("maxGradNorm: -1.0"), "spec.training.maxGradNorm"));
        cases.add(edit("spec.training.warmupRatio: 1", set("warmupRatio: 0.1", "warmupRatio: 1.0"), "spec.training.warmupRatio"));
        cases.add(edit("spec.training.warmupSteps: negative", training("warmupSteps: -5"), "spec.training.warmupSteps"));
        cases.add(edit("spec.training.lrSchedulerType: unknown", set("lrSchedulerType: linear", "lrSchedulerType: exponential"),
                "spec.training.lrSchedulerType"));
        cases.add(edit("spec.training.evalStrategy: unknown", set("evalStrategy: epoch", "evalStrategy: sometimes"), "spec.training.evalStrategy"));
        cases.add(edit("spec.training.saveStrategy: unknown", set("saveStrategy: epoch", "saveStrategy: always"), "spec.training.saveStrategy"));
        cases.add(edit("spec.training.evalSteps: negative", training("evalSteps: -1"), "spec.training.evalSteps"));
        cases.add(edit("spec.training.saveSteps: 0", m -> set("saveStrategy: epoch", "saveStrategy: steps").apply(training("saveSteps: 0").apply(m)),
                "spec.training.saveSteps"));
        cases.add(edit("spec.training.loggingSteps: 0", set("loggingSteps: 20", "loggingSteps: 0"), "spec.training.loggingSteps"));
        cases.add(edit("spec.training.saveTotalLimit: negative", set("saveTotalLimit: 2", "saveTotalLimit: -1"), "spec.training.saveTotalLimit"));
        cases.add(edit("spec.training.metricForBestModel: unknown", training("metricForBestModel: bleu"), "spec.training.metricForBestModel"));
        cases.add(edit("spec.training.loadBestModelAtEnd: without evaluation",
                m -> set("evalStrategy: epoch", "evalStrategy: \"no\"").apply(training("loadBestModelAtEnd: true").apply(m)),
                "spec.training.loadBestModelAtEnd"));
        cases.add(edit("spec.training.loadBestModelAtEnd: save and eval strategies differ",
                m -> set("saveStrategy: epoch", "saveStrategy: steps").apply(training("loadBestModelAtEnd: true").apply(m)),
                "spec.training.loadBestModelAtEnd"));
        cases.add(edit("spec.training.seed: text", set("seed: 42", "seed: forty-two"), "seed"));
        cases.add(edit("spec.resources.gpus: 2", set("gpus: 0", "gpus: 2"), "spec.resources.gpus must be 0 or 1 (got 2)"));
        cases.add(edit("spec.resources.gpus: negative", set("gpus: 0", "gpus: -1"), "spec.resources.gpus"));
        cases.add(edit("spec.resources.limits: not a quantity", m -> m + "    limits: {memory: lots}\n", "spec.resources.limits.memory is not a quantity"));
        cases.add(edit("spec.resources.requests: negative", m -> m + "    requests: {cpu: \"-1\"}\n", "spec.resources.requests.cpu must be >= 0"));
        cases.add(edit("spec.backoffLimit: negative", spec("backoffLimit: -1"), "spec.backoffLimit"));
        cases.add(edit("spec.terminationGracePeriodSeconds: 0", spec("terminationGracePeriodSeconds: 0"), "spec.terminationGracePeriodSeconds"));
        cases.add(edit("spec.activeDeadlineSeconds: 0", spec("activeDeadlineSeconds: 0"), "spec.activeDeadlineSeconds"));
        cases.add(edit("spec.ttlSecondsAfterFinished: negative", spec("ttlSecondsAfterFinished: -1"), "spec.ttlSecondsAfterFinished"));
        cases.add(edit("spec.storage.size: not a quantity", spec("storage: {size: big}"), "spec.storage.size"));
        cases.add(new Case("run: no manifest argument", 2, "JOB.yaml", w -> List.of("run")));
        cases.add(new Case("run: unknown flag", 2, "--epochs", w -> w.runWith(w.manifest(UnaryOperator.identity()), "--epochs", "3")));
        cases.add(new Case("run: --device tpu", 2, "--device", w -> w.runWith(w.manifest(UnaryOperator.identity()), "--device", "tpu")));
        cases.add(new Case("run: --device gpu:x", 2, "--device", w -> w.runWith(w.manifest(UnaryOperator.identity()), "--device", "gpu:x")));
        cases.add(new Case("run: --metrics-port text", 2, "--metrics-port",
                w -> w.runWith(w.manifest(UnaryOperator.identity()), "--metrics-port", "http")));
    }

    // ---------------------------------------------------------------------------------------------- data files

    private static void data(List<Case> cases) {
        cases.add(dataCase("data: train.jsonl line that is not JSON", w -> w.replaceLine("quickstart/data/train.jsonl", 3, "{\"sentence1\": oops"),
                "train.jsonl:3"));
        cases.add(dataCase("data: train.jsonl truncated last line", w -> w.replaceLine("quickstart/data/train.jsonl", 600, "{\"sentence1\": \"a\", \"sent"),
                "train.jsonl:600"));
        cases.add(dataCase("data: row without sentence2", w -> w.replaceLine("quickstart/data/train.jsonl", 5, "{\"sentence1\": \"a\", \"label\": 1}"),
                "train.jsonl:5"));
        cases.add(dataCase("data: row without label", w -> w.replaceLine("quickstart/data/train.jsonl", 8, "{\"sentence1\": \"a\", \"sentence2\": \"b\"}"),
                "train.jsonl:8"));
        cases.add(dataCase("data: label out of range", w -> w.replaceLine("quickstart/data/train.jsonl", 7, row("a", "b", "5")),
                "train.jsonl:7: field 'label'"));
        cases.add(dataCase("data: negative label", w -> w.replaceLine("quickstart/data/train.jsonl", 4, row("a", "b", "-1")),
                "train.jsonl:4"));
        cases.add(dataCase("data: fractional label", w -> w.replaceLine("quickstart/data/train.jsonl", 9, row("a", "b", "1.5")),
                "train.jsonl:9"));
        cases.add(dataCase("data: unknown label name", w -> w.replaceLine("quickstart/data/train.jsonl", 2, row("a", "b", "\"yes\"")),
                "train.jsonl:2"));
        cases.add(dataCase("data: boolean label", w -> w.replaceLine("quickstart/data/train.jsonl", 6, row("a", "b", "true")),
                "train.jsonl:6"));
        cases.add(dataCase("data: null text", w -> w.replaceLine("quickstart/data/train.jsonl", 10, "{\"sentence1\": null, \"sentence2\": \"b\", \"label\": 0}"),
                "train.jsonl:10"));
        cases.add(dataCase("data: text that is an object", w -> w.replaceLine("quickstart/data/train.jsonl", 11,
                "{\"sentence1\": {\"a\": 1}, \"sentence2\": \"b\", \"label\": 0}"), "train.jsonl:11"));
        cases.add(dataCase("data: row that is a JSON list", w -> w.replaceLine("quickstart/data/train.jsonl", 1, "[\"a\", \"b\", 1]"),
                "train.jsonl:1"));
        cases.add(dataCase("data: two objects on one line", w -> w.replaceLine("quickstart/data/train.jsonl", 12, row("a", "b", "0") + " " + row("c", "d", "1")),
                "train.jsonl:12"));
        cases.add(dataCase("data: not UTF-8", w -> w.replaceLineBytes("quickstart/data/train.jsonl", 6,
                row("caf\u00e9", "b", "0").getBytes(StandardCharsets.ISO_8859_1)), "train.jsonl:6"));
        cases.add(dataCase("data: empty train split", w -> w.write("quickstart/data/train.jsonl", ""), "train.jsonl"));
        cases.add(dataCase("data: train split of blank lines", w -> w.write("quickstart/data/train.jsonl", "\n\n\n"), "train.jsonl"));
        cases.add(dataCase("data: validation.jsonl bad line", w -> w.replaceLine("quickstart/data/validation.jsonl", 2, "not json"),
                "validation.jsonl:2"));
        cases.add(dataCase("data: validation label out of range", w -> w.replaceLine("quickstart/data/validation.jsonl", 3, row("a", "b", "2")),
                "validation.jsonl:3"));
        cases.add(dataCase("data: no train split", w -> w.delete("quickstart/data/train.jsonl"), "train"));
        cases.add(dataCase("data: no eval split", w -> w.delete("quickstart/data/validation.jsonl"), "validation"));
        cases.add(edit("data: trainSplit names no file", set("trainSplit: train", "trainSplit: training"), "training"));
        cases.add(dataCase("data: train split is a folder", w -> {
            w.delete("quickstart/data/train.jsonl");
            Files.createDirectories(w.root().resolve("quickstart/data/train.jsonl"));
        }, "train"));
        cases.add(dataCase("data: dataset folder missing", w -> w.deleteTree("quickstart/data"), "quickstart/data"));
        cases.add(dataCase("data: dataset folder empty", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.delete("quickstart/data/validation.jsonl");
        }, "train"));
        cases.add(edit("data: labelField missing from the rows", set("labelField: label", "labelField: gold"), "gold"));
        cases.add(edit("data: textFields missing from the rows", set("textFields: [sentence1, sentence2]", "textFields: [premise, hypothesis]"),
                "premise"));
        cases.add(dataCase("data: CSV without the text column", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.csv", "sentence1,label\nhello,0\nworld,1\n");
        }, "sentence2"));
        cases.add(dataCase("data: CSV row with too few columns", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.csv", "sentence1,sentence2,label\na,b,0\nc,1\nd,e,1\n");
        }, "train.csv:3"));
        cases.add(dataCase("data: CSV label not a number", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.csv", "sentence1,sentence2,label\na,b,0\nc,d,one\n");
        }, "train.csv:3"));
        cases.add(dataCase("data: CSV unclosed quote", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.csv", "sentence1,sentence2,label\na,b,0\n\"c,d,1\ne,f,0\n");
        }, "train.csv:3"));
        cases.add(dataCase("data: CSV not UTF-8", w -> {
            w.delete("quickstart/data/train.jsonl");
            Files.write(w.root().resolve("quickstart/data/train.csv"),
                    "sentence1,sentence2,label\na,b,0\nc,d,1\ncaf\u00e9,e,1\n".getBytes(StandardCharsets.ISO_8859_1));
        }, "train.csv:4"));
        cases.add(dataCase("data: TSV label out of range", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.tsv", "sentence1\tsentence2\tlabel\na\tb\t0\nc\td\t7\n");
        }, "train.tsv:3"));
        cases.add(dataCase("data: corrupt Parquet", w -> {
            w.delete("quickstart/data/train.jsonl");
            w.write("quickstart/data/train.parquet", "this is not parquet");
        }, "train.parquet"));
        cases.add(edit("data: format csv over JSON lines", dataset("format: csv"), "train"));
    }

    // ---------------------------------------------------------------------------------------------- problem types

    /** The quickstart as a multi-label job (its 0/1 labels read as one-label sets) and as a regression (0/1 as scores). */
    private static final UnaryOperator<String> MULTI_LABEL = set("numLabels: 2",
            "numLabels: 2\n    problemType: multi_label_classification\n    labelNames: [not_equivalent, equivalent]");
    private static final UnaryOperator<String> REGRESSION = set("numLabels: 2", "numLabels: 1");

    private static void problemTypes(List<Case> cases) {
        String train = "quickstart/data/train.jsonl";
        cases.add(labelCase("multi-label: unknown label name", MULTI_LABEL, w -> w.replaceLine(train, 5, row("a", "b", "[\"equivalent\", \"sports\"]")),
                "train.jsonl:5: field 'label': 'sports' is neither an integer nor a label name of spec.task.labelNames"));
        cases.add(labelCase("multi-label: label id out of range", MULTI_LABEL, w -> w.replaceLine(train, 6, row("a", "b", "[0, 7]")),
                "train.jsonl:6: field 'label': 7 is out of range [0, 2)"));
        cases.add(labelCase("multi-label: a list of lists", MULTI_LABEL, w -> w.replaceLine(train, 7, row("a", "b", "[[0], [1]]")),
                "train.jsonl:7: field 'label'"));
        cases.add(labelCase("multi-label: CSV cell naming an unknown label", MULTI_LABEL, w -> {
            w.delete(train);
            w.write("quickstart/data/train.csv", "sentence1,sentence2,label\na,b,equivalent\nc,d,\"equivalent,sports\"\n");
        }, "train.csv:3: field 'label': 'sports'"));
        cases.add(edit("multi-label: numLabels 1", set("numLabels: 2", "numLabels: 1\n    problemType: multi_label_classification"),
                "spec.task.numLabels must be >= 2 for multi_label_classification (got 1)"));
        cases.add(edit("multi-label: metricForBestModel matthews_correlation",
                m -> training("metricForBestModel: matthews_correlation").apply(MULTI_LABEL.apply(m)),
                "spec.training.metricForBestModel must be one of loss, accuracy, f1, macro_f1 for multi_label_classification"));
        cases.add(labelCase("regression: text target", REGRESSION, w -> w.replaceLine(train, 3, row("a", "b", "\"abc\"")),
                "train.jsonl:3: field 'label': 'abc' is not a finite number"));
        cases.add(labelCase("regression: NaN target", REGRESSION, w -> w.replaceLine(train, 4, row("a", "b", "\"NaN\"")),
                "train.jsonl:4: field 'label': 'NaN' is not a finite number"));
        cases.add(labelCase("regression: bare NaN", REGRESSION, w -> w.replaceLine(train, 2, row("a", "b", "NaN")),
                "train.jsonl:2"));
        cases.add(labelCase("regression: target beyond float range", REGRESSION, w -> w.replaceLine(train, 8, row("a", "b", "1e999")),
                "train.jsonl:8: field 'label'"));
        cases.add(labelCase("regression: Java-only number syntax", REGRESSION, w -> w.replaceLine(train, 9, row("a", "b", "\"2f\"")),
                "train.jsonl:9: field 'label': '2f' is not a finite number"));
        cases.add(labelCase("regression: CSV inf", REGRESSION, w -> {
            w.delete(train);
            w.write("quickstart/data/train.csv", "sentence1,sentence2,label\na,b,0.5\nc,d,inf\n");
        }, "train.csv:3: field 'label': 'inf' is not a finite number"));
        cases.add(labelCase("regression: a list of the wrong length", set("numLabels: 2", "numLabels: 2\n    problemType: regression"),
                w -> w.replaceLine(train, 1, row("a", "b", "[0.5, 1.0, 2.0]")),
                "train.jsonl:1: field 'label': 3 values where spec.task.numLabels is 2"));
        cases.add(edit("regression: metricForBestModel accuracy", m -> training("metricForBestModel: accuracy").apply(REGRESSION.apply(m)),
                "spec.training.metricForBestModel must be one of loss, mse, pearson, spearmanr for regression (got accuracy)"));
    }

    /** The quickstart manifest as {@code task} edits it, over a copy of its folder that {@code edit} broke. */
    private static Case labelCase(String name, UnaryOperator<String> task, DataEdit edit, String fragment) {
        return new Case(name, 2, fragment, w -> {
            edit.apply(w);
            return w.run(w.manifest(task));
        });
    }

    // ---------------------------------------------------------------------------------------------- model folders

    private static void modelFolders(List<Case> cases) {
        String config = "quickstart/model/config.json";
        cases.add(dataCase("model: no config.json", w -> w.delete(config), "has no config.json"));
        cases.add(dataCase("model: config.json not JSON", w -> w.write(config, "{ \"vocab_size\": 4096,\n  oops }"), "config.json:2"));
        cases.add(dataCase("model: config.json empty", w -> w.write(config, ""), "config.json"));
        cases.add(dataCase("model: config.json a JSON list", w -> w.write(config, "[1, 2]"), "config.json"));
        cases.add(dataCase("model: config.json a folder", w -> {
            w.delete(config);
            Files.createDirectories(w.root().resolve(config));
        }, "has no config.json"));
        cases.add(dataCase("model: config.json not UTF-8", w -> Files.write(w.root().resolve(config),
                "{\"model_type\": \"b\u00e9rt\"}".getBytes(StandardCharsets.ISO_8859_1)), "config.json"));
        cases.add(dataCase("model: config.json hidden_size 0", w -> w.editFile(config, "\"hidden_size\": 128", "\"hidden_size\": 0"), "hidden_size"));
        cases.add(dataCase("model: config.json hidden_size text", w -> w.editFile(config, "\"hidden_size\": 128", "\"hidden_size\": \"big\""),
                "hidden_size"));
        cases.add(dataCase("model: heads do not divide hidden_size", w -> w.editFile(config, "\"num_attention_heads\": 2", "\"num_attention_heads\": 3"),
                "num_attention_heads"));
        cases.add(dataCase("model: vocab_size smaller than the tokenizer", w -> w.editFile(config, "\"vocab_size\": 4096", "\"vocab_size\": 100"),
                "vocab_size"));
        cases.add(dataCase("model: max_position_embeddings under maxLength", w -> w.editFile(config,
                "\"max_position_embeddings\": 128", "\"max_position_embeddings\": 32"), "spec.task.maxLength 64 exceeds"));
        cases.add(dataCase("model: unknown hidden_act", w -> w.editFile(config, "\"hidden_act\": \"gelu\"", "\"hidden_act\": \"swish2\""),
                "hidden_act"));
        cases.add(dataCase("model: negative num_hidden_layers", w -> w.editFile(config, "\"num_hidden_layers\": 2", "\"num_hidden_layers\": -1"),
                "num_hidden_layers"));
        cases.add(dataCase("tokenizer: tokenizer.json not JSON", w -> w.write("quickstart/model/tokenizer.json", "{\n  \"version\": \"1.0\",\n  oops"),
                "tokenizer.json:3"));
        cases.add(dataCase("tokenizer: tokenizer.json empty", w -> w.write("quickstart/model/tokenizer.json", ""), "tokenizer.json"));
        cases.add(dataCase("tokenizer: tokenizer.json without a model", w -> w.write("quickstart/model/tokenizer.json", "{\"version\": \"1.0\"}"),
                "tokenizer.json: not a Hugging Face tokenizer"));
        cases.add(dataCase("tokenizer: tokenizer.json not UTF-8", w -> Files.write(w.root().resolve("quickstart/model/tokenizer.json"),
                "{\"version\": \"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1)), "tokenizer.json"));
        cases.add(dataCase("tokenizer: tokenizer_config.json not JSON", w -> w.write("quickstart/model/tokenizer_config.json", "do_lower_case = true"),
                "tokenizer_config.json:1"));
        cases.add(dataCase("tokenizer: special_tokens_map.json not JSON", w -> w.write("quickstart/model/special_tokens_map.json", "{\"unk_token\": }"),
                "special_tokens_map.json:1"));
        cases.add(dataCase("tokenizer: no tokenizer files", w -> {
            w.delete("quickstart/model/tokenizer.json");
            w.delete("quickstart/model/vocab.txt");
        }, "tokenizer"));
        cases.add(dataCase("tokenizer: added token beyond vocab_size", w -> w.editFile("quickstart/model/tokenizer.json",
                "\"id\": 0,", "\"id\": 9000,"), "vocab_size"));
        cases.add(edit("model: pretrained without weights", m -> replace(m, "    initialization: random\n", ""), "model.safetensors"));
        cases.add(new Case("model: corrupt weights", 2, "model.safetensors", w -> {
            w.write("quickstart/model/model.safetensors", "not a safetensors file");
            return w.run(w.manifest(m -> replace(m, "    initialization: random\n", "")));
        }));
        cases.add(edit("model: uri at a file", set("uri: quickstart/model", "uri: quickstart/model/config.json"), "config.json"));
        cases.add(edit("model: uri at no folder", set("uri: quickstart/model", "uri: quickstart/no-model"), "no-model"));
        cases.add(edit("model: file:// at no folder", set("uri: quickstart/model", "uri: file:///nonexistent/model"), "/nonexistent/model"));
    }

    // ---------------------------------------------------------------------------------------------- output paths

    private static void outputs(List<Case> cases) {
        cases.add(new Case("output: under a file", 2, "a path above it is a file", w -> {
            Path file = Files.writeString(w.root().resolve("a-file"), "x");
            return w.runTo(w.manifest(UnaryOperator.identity()), file.resolve("out"));
        }));
        cases.add(new Case("output: is a file", 2, "output folder", w -> {
            Path file = Files.writeString(w.root().resolve("a-file"), "x");
            return w.runTo(w.manifest(UnaryOperator.identity()), file);
        }));
        cases.add(new Case("output: in /proc", 2, "/proc/finetune-out", w -> w.runTo(w.manifest(UnaryOperator.identity()), Path.of("/proc/finetune-out"))));
        cases.add(new Case("output: under /dev/null", 2, "/dev/null/out", w -> w.runTo(w.manifest(UnaryOperator.identity()), Path.of("/dev/null/out"))));
    }

    // ---------------------------------------------------------------------------------------------- predict

    private static void predict(List<Case> cases) {
        String data = "quickstart/data/validation.jsonl";
        cases.add(new Case("predict: no --model", 2, "--model", w -> List.of("predict", "--data", w.path(data))));
        cases.add(new Case("predict: no --data", 2, "--data", w -> List.of("predict", "--model", w.trained())));
        cases.add(new Case("predict: unknown flag", 2, "--epochs", w -> w.predict(w.trained(), data, "--epochs", "3")));
        cases.add(new Case("predict: --model missing", 2, "no-model", w -> w.predict(w.path("no-model"), data)));
        cases.add(new Case("predict: --model a file", 2, "config.json", w -> w.predict(w.path("quickstart/model/config.json"), data)));
        cases.add(new Case("predict: --model without weights", 2, "model.safetensors", w -> w.predict(w.path("quickstart/model"), data)));
        cases.add(new Case("predict: --model without config.json", 2, "config.json: no such file", w -> {
            Path model = w.copyTrained();
            Files.delete(model.resolve("config.json"));
            return w.predict(model.toString(), data);
        }));
        cases.add(new Case("predict: corrupt tokenizer.json", 2, "tokenizer.json:1", w -> {
            Path model = w.copyTrained();
            Files.writeString(model.resolve("tokenizer.json"), "{ oops");
            return w.predict(model.toString(), data);
        }));
        cases.add(new Case("predict: corrupt weights", 2, "model.safetensors", w -> {
            Path model = w.copyTrained();
            Files.writeString(model.resolve("model.safetensors"), "garbage");
            return w.predict(model.toString(), data);
        }));
        cases.add(new Case("predict: --data missing", 2, "missing.jsonl", w -> w.predict(w.trained(), "missing.jsonl")));
        cases.add(new Case("predict: --data a folder", 2, "quickstart/data", w -> w.predict(w.trained(), "quickstart/data")));
        cases.add(new Case("predict: --data bad line", 2, "validation.jsonl:3", w -> {
            w.replaceLine(data, 3, "{nope");
            return w.predict(w.trained(), data);
        }));
        cases.add(new Case("predict: --data not UTF-8", 2, "validation.jsonl:4", w -> {
            w.replaceLineBytes(data, 4, row("caf\u00e9", "b", "0").getBytes(StandardCharsets.ISO_8859_1));
            return w.predict(w.trained(), data);
        }));
        cases.add(new Case("predict: --data empty", 2, "validation.jsonl", w -> {
            w.write(data, "");
            return w.predict(w.trained(), data);
        }));
        cases.add(new Case("predict: --data label out of range", 2, "validation.jsonl:2", w -> {
            w.replaceLine(data, 2, row("a", "b", "9"));
            return w.predict(w.trained(), data);
        }));
        cases.add(new Case("predict: --data corrupt Parquet", 2, "rows.parquet", w -> {
            w.write("rows.parquet", "PAR1 not really");
            return w.predict(w.trained(), "rows.parquet");
        }));
        cases.add(new Case("predict: --format xml", 2, "--format", w -> w.predict(w.trained(), data, "--format", "xml")));
        cases.add(new Case("predict: --format csv over JSON lines", 2, "validation.jsonl", w -> w.predict(w.trained(), data, "--format", "csv")));
        cases.add(new Case("predict: --batch-size 0", 2, "--batch-size", w -> w.predict(w.trained(), data, "--batch-size", "0")));
        cases.add(new Case("predict: --batch-size negative", 2, "--batch-size", w -> w.predict(w.trained(), data, "--batch-size", "-3")));
        cases.add(new Case("predict: --batch-size text", 2, "--batch-size", w -> w.predict(w.trained(), data, "--batch-size", "many")));
        cases.add(new Case("predict: --max-length 0", 2, "--max-length", w -> w.predict(w.trained(), data, "--max-length", "0")));
        cases.add(new Case("predict: --max-length over the model's positions", 2, "--max-length 1000 exceeds",
                w -> w.predict(w.trained(), data, "--max-length", "1000")));
        cases.add(new Case("predict: --text-fields three", 2, "--text-fields", w -> w.predict(w.trained(), data, "--text-fields", "a,b,c")));
        cases.add(new Case("predict: --text-fields not in the data", 2, "premise",
                w -> w.predict(w.trained(), data, "--text-fields", "premise,hypothesis")));
        cases.add(new Case("predict: --output under a file", 2, "--output", w -> {
            Path file = Files.writeString(w.root().resolve("a-file"), "x");
            return w.predict(w.trained(), data, "--output", file.resolve("predictions.jsonl").toString());
        }));
        cases.add(new Case("predict: --output a folder", 2, "--output", w -> w.predict(w.trained(), data, "--output", w.path("quickstart"))));
    }

    // ---------------------------------------------------------------------------------------------- building cases

    private static Case text(String name, String manifest, String fragment) {
        return new Case(name, 2, fragment, w -> w.run(w.manifest(m -> manifest)));
    }

    private static Case edit(String name, UnaryOperator<String> edit, String fragment) {
        return new Case(name, 2, fragment, w -> w.run(w.manifest(edit)));
    }

    interface DataEdit {
        void apply(Workspace w) throws Exception;
    }

    /** The quickstart manifest over a copy of its folder that {@code edit} broke. */
    private static Case dataCase(String name, DataEdit edit, String fragment) {
        return new Case(name, 2, fragment, w -> {
            edit.apply(w);
            return w.run(w.manifest(UnaryOperator.identity()));
        });
    }

    private static UnaryOperator<String> set(String from, String to) {
        return m -> replace(m, "    " + from + "\n", "    " + to + "\n");
    }

    private static UnaryOperator<String> training(String line) {
        return m -> replace(m, "  training:\n", "  training:\n    " + line + "\n");
    }

    private static UnaryOperator<String> task(String line) {
        return m -> replace(m, "  task:\n", "  task:\n    " + line + "\n");
    }

    private static UnaryOperator<String> model(String line) {
        return m -> replace(m, "  model:\n", "  model:\n    " + line + "\n");
    }

    private static UnaryOperator<String> dataset(String line) {
        return m -> replace(m, "  dataset:\n", "  dataset:\n    " + line + "\n");
    }

    private static UnaryOperator<String> spec(String line) {
        return m -> replace(m, "\nspec:\n", "\nspec:\n  " + line + "\n");
    }

    private static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("the case expects " + from.strip() + " in the file");
        }
        return text.replace(from, to);
    }

    private static String row(String s1, String s2, String label) {
        return "{\"sentence1\": \"" + s1 + "\", \"sentence2\": \"" + s2 + "\", \"label\": " + label + "}";
    }

    private static boolean trainedSomething(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("checkpoint-") || p.getFileName().toString().equals("final"));
        }
    }

    /** A copy of examples/quickstart in a case's own folder, and the command lines that use it. */
    record Workspace(Path root) {
        Workspace {
            try (Stream<Path> files = Files.walk(QUICKSTART)) {
                for (Path file : files.toList()) {
                    Path target = root.resolve("quickstart").resolve(QUICKSTART.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path out() {
            return root.resolve("out");
        }

        String path(String relative) {
            return root.resolve(relative).toString();
        }

        Path manifest(UnaryOperator<String> edit) throws IOException {
            return Files.writeString(root.resolve("job.yaml"), edit.apply(MANIFEST));
        }

        List<String> run(Path manifest) {
            return runTo(manifest, out());
        }

        List<String> runTo(Path manifest, Path output) {
            return List.of("run", manifest.toString(), "--output", output.toString(), "--no-progress-bar");
        }

        List<String> runWith(Path manifest, String... extra) {
            List<String> args = new ArrayList<>(run(manifest));
            args.addAll(List.of(extra));
            return args;
        }

        List<String> predict(String model, String data, String... extra) {
            List<String> args = new ArrayList<>(List.of("predict", "--model", model, "--data",
                    Path.of(data).isAbsolute() ? data : path(data), "--output", out().resolve("predictions.jsonl").toString()));
            // picocli refuses an option given twice: a case that sets --output replaces ours.
            if (List.of(extra).contains("--output")) {
                args.subList(args.size() - 2, args.size()).clear();
            }
            args.addAll(List.of(extra));
            return args;
        }

        /** A model folder with weights, trained once (one step) for the predict cases that get past the weights. */
        String trained() throws IOException {
            return trainedModel().toString();
        }

        Path copyTrained() throws IOException {
            Path copy = root.resolve("trained");
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(trainedModel())) {
                for (Path file : files.toList()) {
                    Files.copy(file, copy.resolve(file.getFileName().toString()));
                }
            }
            return copy;
        }

        void write(String relative, String text) throws IOException {
            Files.writeString(root.resolve(relative), text);
        }

        void delete(String relative) throws IOException {
            Files.delete(root.resolve(relative));
        }

        void deleteTree(String relative) throws IOException {
            try (Stream<Path> files = Files.walk(root.resolve(relative))) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }

        void editFile(String relative, String from, String to) throws IOException {
            Path file = root.resolve(relative);
            Files.writeString(file, replace(Files.readString(file), from, to));
        }

        void replaceLine(String relative, int line, String text) throws IOException {
            replaceLineBytes(relative, line, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Line {@code line} (1-based) of the file replaced by {@code bytes}. */
        void replaceLineBytes(String relative, int line, byte[] bytes) throws IOException {
            Path file = root.resolve(relative);
            List<String> lines = Files.readAllLines(file);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < lines.size(); i++) {
                out.write(i == line - 1 ? bytes : lines.get(i).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
            Files.write(file, out.toByteArray());
        }
    }

    private static synchronized Path trainedModel() throws IOException {
        if (trainedModel == null) {
            trainedModelRoot = Files.createTempDirectory("bad-input-corpus-model");
            Workspace w = new Workspace(trainedModelRoot);
            Path manifest = w.manifest(m -> training("maxSteps: 1").apply(set("evalStrategy: epoch", "evalStrategy: \"no\"")
                    .apply(set("saveStrategy: epoch", "saveStrategy: \"no\"").apply(m))));
            CliRun.Printed result = CliRun.printed(w.run(manifest));
            if (result.code() != 0) {
                throw new IllegalStateException("training the one-step model failed:\n" + result.output());
            }
            trainedModel = w.out().resolve("final");
        }
        return trainedModel;
    }

    @AfterAll
    static void deleteTrainedModel() throws IOException {
        if (trainedModelRoot != null) {
            try (Stream<Path> files = Files.walk(trainedModelRoot)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
