package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.train.AdamW;
import dev.finetune.trainer.train.GradientClipper;
import dev.finetune.trainer.train.TaskObjective;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hf-oracle case of a registered model_type against transformers, through {@link ModelFamilies} alone (no
 * family class is named, so a family added to the registry and the fixtures is checked without code here): the
 * encoder's hidden states, the sequence head's logits, loss (its problem_type's) and gradient norm, the token head's
 * logits, loss and gradient norm, the weights after two AdamW steps, each within case.json's float32 tolerance; and
 * save_pretrained of both heads writes exactly transformers' keys. Family-specific checks (position ids, poolers,
 * ALBERT's shared layers, DeBERTa's variants) stay in the families' own tests.
 */
class ModelFamiliesOracleTest {
    /** float16 has 11 significant bits: ~5e-4 relative per op, compounded over two layers; logits here are ~1. */
    private static final double FLOAT16_LOGIT_TOLERANCE = 2e-2;
    /** Adam moves an element whose gradient is rounding noise by up to lr either way (hf-oracle's README). */
    private static final double SENSITIVE_TOLERANCE = 2e-3;
    private static final List<String> TOKEN_HEAD = List.of(
            TokenClassificationModel.CLASSIFIER_PREFIX + "weight", TokenClassificationModel.CLASSIFIER_PREFIX + "bias");

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        return HfOracleCase.names();
    }

    /** The case, skipped where the shared folder is absent or its model_type is not registered. */
    private static HfOracleCase registered(String name) throws IOException {
        HfOracleCase c = HfOracleCase.load(name);
        assumeTrue(ModelFamilies.supported().contains(c.modelType()), name + ": model_type " + c.modelType()
                + " is not registered");
        return c;
    }

    private static HfOracleCase registeredMain(String name) throws IOException {
        HfOracleCase c = registered(name);
        assumeTrue(c.isMain(), name + ": no token-classification or training reference (only the main cases have one)");
        return c;
    }

    private static void assertWithin(HfOracleCase c, String tensor, float[] actual) {
        c.assertWithin(tensor, actual);
    }

    private static void assertWithin(HfOracleCase c, String tensor, double actual) {
        c.assertWithin(tensor, new float[] {(float) actual});
    }

    private static double gradNorm(Map<String, NDArray> parameters) {
        List<NDArray> gradients = new ArrayList<>();
        parameters.values().forEach(p -> gradients.add(p.getGradient()));
        return GradientClipper.globalNorm(gradients);
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve(PretrainedWeights.WEIGHTS_FILE))) {
            return new TreeSet<>(reader.names());
        }
    }

    /**
     * The base model's output through the token head of a checkpoint made for it: the case's encoder weights with an
     * identity "classifier" (num_labels = hidden_size, bias 0), whose logits are the hidden states exactly. On the way,
     * the sequence-classification folder loaded as a token classifier gives the encoder and reports its own head unused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lastHiddenStateMatchesTransformers(String name) throws IOException {
        HfOracleCase c = registered(name);
        int hidden = (int) c.expectedShape("last_hidden_state").get(2);
        Path identity = tmp.resolve("identity-head");
        try (NDManager manager = NDManager.newBaseManager()) {
            try (TokenClassificationModel fromSequence = ModelFamilies.tokenClassifierFromPretrained(c.dir(), hidden,
                    null, manager, 1)) {
                assertEquals(TOKEN_HEAD, fromSequence.loadReport().newlyInitialized(),
                        "only the token head is new: the encoder loads from the sequence classifier");
                // Everything outside the encoder is the sequence head (and pooler), classifier.* included: in BERT,
                // ALBERT, DeBERTa and DistilBERT it shares the token head's name but is another layer.
                TreeSet<String> sequenceHead = names(c.dir());
                fromSequence.namedParameters().keySet().stream().filter(p -> !TOKEN_HEAD.contains(p))
                        .forEach(sequenceHead::remove);
                assertEquals(sequenceHead, new TreeSet<>(fromSequence.loadReport().unused()),
                        "the sequence head is reported unused");
                fromSequence.savePretrained(identity);
                Map<String, NDArray> weights = new LinkedHashMap<>(fromSequence.namedParameters());
                weights.put(TOKEN_HEAD.get(0), manager.eye(hidden));
                weights.put(TOKEN_HEAD.get(1), manager.zeros(new Shape(hidden)));
                SafetensorsWriter.write(identity.resolve(PretrainedWeights.WEIGHTS_FILE), weights);
            }
            try (TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(identity, hidden, null,
                    manager, 1)) {
                assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
                NDArray states = model.forward(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager),
                        false);
                assertEquals(c.expectedShape("last_hidden_state"), states.getShape());
                assertWithin(c, "last_hidden_state", states.toFloatArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sequenceClassificationLogitsLossAndGradNormMatchTransformers(String name) throws IOException {
        HfOracleCase c = registered(name);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(c.dir(), c.numLabels(), null, manager, 1)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
            assertEquals(c.problemType(), model.config().problemType());
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            NDArray logits = model.forward(ids, types, mask, false);
            assertEquals(c.expectedShape("seq_cls_logits"), logits.getShape());
            assertWithin(c, "seq_cls_logits", logits.toFloatArray());
            // The problem type's loss as the loop computes it: summed, then the mean over its items.
            NDArray targets = c.sequenceTargets(manager);
            long items = c.problemType().equals("single_label_classification") ? targets.size(0) : targets.size();
            TaskObjective objective = TaskObjective.of(c.problemType(), c.numLabels());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = objective.lossSum(model.forward(ids, types, mask, false), targets).div(items);
                collector.backward(loss);
                assertWithin(c, "loss", loss.getFloat());
            }
            assertWithin(c, "grad_norm", gradNorm(model.namedParameters()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tokenClassificationLogitsLossAndGradNormMatchTransformers(String name) throws IOException {
        HfOracleCase c = registeredMain(name);
        try (NDManager manager = NDManager.newBaseManager();
                TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(c.tokenClassificationDir(),
                        c.numTokenLabels(), null, manager, 1)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            NDArray logits = model.forward(ids, types, mask, false);
            assertEquals(DataType.FLOAT32, logits.getDataType());
            assertEquals(c.expectedShape("tok_cls_logits"), logits.getShape());
            assertWithin(c, "tok_cls_logits", logits.toFloatArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // Cross-entropy over the labelled tokens only (-100 ignored), their mean.
                NDArray labels = c.tokenLabels(manager).reshape(-1, 1);
                NDArray labelled = labels.neq(-100).toType(DataType.FLOAT32, false);
                NDArray picked = model.forward(ids, types, mask, false).reshape(labels.size(), -1).logSoftmax(-1)
                        .gather(labels.maximum(0), 1);
                NDArray loss = picked.mul(labelled).sum().neg().div(labelled.sum());
                collector.backward(loss);
                assertWithin(c, "tok_cls_loss", loss.getFloat());
            }
            assertWithin(c, "tok_cls_grad_norm", gradNorm(model.namedParameters()));
        }
    }

    /** fp16 through the interface: float32 logits near transformers' and a float32 gradient on every master. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTokenClassifiersFloat16ForwardMatchesTransformersAndEveryMasterGetsAFloat32Gradient(String name)
            throws IOException {
        HfOracleCase c = registeredMain(name);
        try (NDManager manager = NDManager.newBaseManager();
                TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(c.tokenClassificationDir(),
                        c.numTokenLabels(), null, manager, 1)) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forwardFloat16(c.inputIds(manager), c.tokenTypeIds(manager),
                        c.attentionMask(manager), false);
                assertEquals(DataType.FLOAT32, logits.getDataType());
                double error = HfOracleCase.maxAbsDiff(logits.toFloatArray(), c.expected("tok_cls_logits"));
                System.out.printf("fp16 %s tok_cls_logits: max abs error %.3e%n", name, error);
                assertTrue(error <= FLOAT16_LOGIT_TOLERANCE, name + " fp16 token logits: max abs error " + error);
                collector.backward(logits.sum());
            }
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                NDArray gradient = e.getValue().getGradient();
                assertNotNull(gradient, e.getKey());
                assertEquals(DataType.FLOAT32, gradient.getDataType(), e.getKey() + " is a float32 master");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void twoAdamWStepsMatchTransformers(String name) throws IOException {
        HfOracleCase c = registeredMain(name);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(c.dir(), c.numLabels(), null, manager, 1)) {
            // The Trainer's weight-decay groups, as the fixture lists them.
            for (String parameter : model.namedParameters().keySet()) {
                assertEquals(!c.noDecayParameters().contains(parameter), AdamW.decays(parameter),
                        parameter + " weight decay group");
            }
            HfOracleCase.TwoSteps run = c.train(model, manager);
            assertWithin(c, "loss_step1", run.loss()[0]);
            assertWithin(c, "grad_norm_step1", run.gradNorm()[0]);
            assertWithin(c, "loss_step2", run.loss()[1]);
            assertWithin(c, "grad_norm_step2", run.gradNorm()[1]);
            assertWithin(c, "loss_after2", run.lossAfter());
            double worst = 0;
            double worstSensitive = 0;
            String worstName = "";
            for (var e : model.namedParameters().entrySet()) {
                String tensor = "after2/" + e.getKey();
                float[] actual = e.getValue().toFloatArray();
                double[] expected = c.expected(tensor);
                assertEquals(expected.length, actual.length, tensor);
                Set<Long> sensitive = c.sensitive(e.getKey());
                double tolerance = c.tolerance(tensor);
                for (int i = 0; i < actual.length; i++) {
                    double error = Math.abs(actual[i] - expected[i]);
                    if (sensitive.contains((long) i)) {
                        worstSensitive = Math.max(worstSensitive, error);
                        assertTrue(error <= SENSITIVE_TOLERANCE,
                                tensor + "[" + i + "] (sensitive): error " + error + " > " + SENSITIVE_TOLERANCE);
                    } else {
                        if (error > worst) {
                            worst = error;
                            worstName = tensor;
                        }
                        assertTrue(error <= tolerance, tensor + "[" + i + "]: error " + error + " > " + tolerance);
                    }
                }
            }
            System.out.printf("hf-oracle %s after2: max abs error %.3e (%s), sensitive elements %.3e%n",
                    name, worst, worstName, worstSensitive);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theSequenceClassifierSavesTheFixtureKeysAndReloadsIdentically(String name) throws IOException {
        HfOracleCase c = registered(name);
        assertSavesTheFixtureKeysAndReloadsIdentically(c, c.dir(),
                (dir, manager) -> ModelFamilies.fromPretrained(dir, c.numLabels(), null, manager, 1));
    }

    /** What AutoModelForTokenClassification.from_pretrained loads with no missing or unexpected keys. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTokenClassifierSavesTheFixtureKeysAndReloadsIdentically(String name) throws IOException {
        HfOracleCase c = registeredMain(name);
        assertSavesTheFixtureKeysAndReloadsIdentically(c, c.tokenClassificationDir(),
                (dir, manager) -> ModelFamilies.tokenClassifierFromPretrained(dir, c.numTokenLabels(), null, manager, 1));
    }

    /** A head's from_pretrained, for either task. */
    private interface Loader {
        PretrainedModel load(Path dir, NDManager manager) throws IOException;
    }

    /**
     * The model {@code fixture} holds, saved: the fixture's tensor names and config, and reloaded with no missing or
     * unused keys it gives the logits it gave before saving, to the bit.
     */
    private void assertSavesTheFixtureKeysAndReloadsIdentically(HfOracleCase c, Path fixture, Loader loader) throws IOException {
        Path saved = tmp.resolve("saved");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            float[] before;
            try (PretrainedModel model = loader.load(fixture, manager)) {
                before = model.forward(ids, types, mask, false).toFloatArray();
                model.savePretrained(saved);
            }
            assertEquals(names(fixture), names(saved));
            assertConfigCarried(fixture, saved);
            try (PretrainedModel reloaded = loader.load(saved, manager)) {
                assertEquals(new WeightLoadReport(List.of(), List.of()), reloaded.loadReport());
                assertArrayEquals(before, reloaded.forward(ids, types, mask, false).toFloatArray());
            }
        }
    }

    private static void assertConfigCarried(Path fixture, Path saved) throws IOException {
        ObjectNode in = ConfigFields.readObject(fixture.resolve("config.json"));
        ObjectNode out = ConfigFields.readObject(saved.resolve("config.json"));
        for (String key : List.of("model_type", "architectures", "id2label", "label2id")) {
            assertEquals(in.get(key), out.get(key), key + " is carried through");
        }
    }

    /** The token fixture renamed without its base-model prefix ("bert.", "roberta.", ...) loads to the same weights. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aTokenClassifierWithoutTheBaseModelPrefixLoadsAsFromPretrainedAccepts(String name) throws IOException {
        HfOracleCase c = registeredMain(name);
        Path stripped = Files.createDirectories(tmp.resolve("stripped"));
        Files.copy(c.tokenClassificationDir().resolve("config.json"), stripped.resolve("config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> renamed = new LinkedHashMap<>();
            try (SafetensorsReader reader = SafetensorsReader.open(
                    c.tokenClassificationDir().resolve(PretrainedWeights.WEIGHTS_FILE))) {
                String encoder = reader.names().stream().filter(n -> !TOKEN_HEAD.contains(n)).findFirst().orElseThrow();
                String prefix = encoder.substring(0, encoder.indexOf('.') + 1);
                reader.readAll(manager).forEach((tensor, array) ->
                        renamed.put(tensor.startsWith(prefix) ? tensor.substring(prefix.length()) : tensor, array));
                assertTrue(renamed.keySet().containsAll(TOKEN_HEAD) && renamed.size() == reader.names().size(),
                        renamed.keySet()::toString);
            }
            SafetensorsWriter.write(stripped.resolve(PretrainedWeights.WEIGHTS_FILE), renamed);
            try (TokenClassificationModel original = ModelFamilies.tokenClassifierFromPretrained(
                    c.tokenClassificationDir(), c.numTokenLabels(), null, manager, 1);
                    TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(stripped,
                            c.numTokenLabels(), null, manager, 2)) {
                assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
                assertEquals(original.namedParameters().keySet(), model.namedParameters().keySet());
                for (Map.Entry<String, NDArray> e : original.namedParameters().entrySet()) {
                    assertArrayEquals(e.getValue().toFloatArray(),
                            model.namedParameters().get(e.getKey()).toFloatArray(), e.getKey());
                }
            }
        }
    }
}
