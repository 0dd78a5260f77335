package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.finetune.trainer.train.AdamW;
import dev.finetune.trainer.train.GradientClipper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A family's encoder and heads against transformers on an hf-oracle case: hidden states, sequence and token
 * logits, losses, gradient norms and the weights after two AdamW steps, each within the float32 tolerance
 * case.json suggests; and save_pretrained of the loaded model writes exactly the fixture's keys.
 */
public abstract class HfOracleFamilyTest {
    @TempDir
    Path saved;

    /** A task model as the checks use it. */
    public interface Head extends HfOracleCase.Classifier, AutoCloseable {
        void savePretrained(Path dir) throws IOException;

        @Override
        void close();
    }

    protected abstract String caseName();

    /** The base model loaded from the sequence-classification folder; its (B, T, H) output. */
    protected abstract NDArray lastHiddenState(Path dir, NDManager manager, NDArray ids, NDArray types, NDArray mask)
            throws IOException;

    protected abstract Head sequenceClassifier(Path dir, int numLabels, NDManager manager) throws IOException;

    protected abstract Head tokenClassifier(Path dir, int numLabels, NDManager manager) throws IOException;

    private static void report(String caseName, String tensor, double error, double tolerance) {
        System.out.printf("hf-oracle %s %s: max abs error %.3e (tolerance %.0e)%n", caseName, tensor, error, tolerance);
    }

    private static void assertWithin(HfOracleCase c, String caseName, String tensor, float[] actual) {
        double error = HfOracleCase.maxAbsDiff(actual, c.expected(tensor));
        double tolerance = c.tolerance(tensor);
        report(caseName, tensor, error, tolerance);
        assertTrue(error <= tolerance, caseName + " " + tensor + ": max abs error " + error + " > " + tolerance);
    }

    private static void assertWithin(HfOracleCase c, String caseName, String tensor, double actual) {
        assertWithin(c, caseName, tensor, new float[] {(float) actual});
    }

    @Test
    void lastHiddenStateMatchesTransformers() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray hidden = lastHiddenState(c.dir(), manager, c.inputIds(manager), c.tokenTypeIds(manager),
                    c.attentionMask(manager));
            assertEquals(c.expectedShape("last_hidden_state"), hidden.getShape());
            assertWithin(c, caseName(), "last_hidden_state", hidden.toFloatArray());
        }
    }

    @Test
    void sequenceClassificationLogitsLossAndGradNormMatchTransformers() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager();
                Head model = sequenceClassifier(c.dir(), c.numLabels(), manager)) {
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            NDArray logits = model.forward(ids, types, mask, false);
            assertEquals(c.expectedShape("seq_cls_logits"), logits.getShape());
            assertWithin(c, caseName(), "seq_cls_logits", logits.toFloatArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = logits(model, ids, types, mask).logSoftmax(-1)
                        .gather(c.labels(manager).reshape(-1, 1), 1).mean().neg();
                collector.backward(loss);
                assertWithin(c, caseName(), "loss", loss.getFloat());
            }
            assertWithin(c, caseName(), "grad_norm", gradNorm(model));
        }
    }

    private static NDArray logits(Head model, NDArray ids, NDArray types, NDArray mask) {
        return model.forward(ids, types, mask, false);
    }

    private static double gradNorm(Head model) {
        List<NDArray> gradients = new ArrayList<>();
        model.namedParameters().values().forEach(p -> gradients.add(p.getGradient()));
        return GradientClipper.globalNorm(gradients);
    }

    @Test
    void tokenClassificationLogitsLossAndGradNormMatchTransformers() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager();
                Head model = tokenClassifier(c.tokenClassificationDir(), c.numTokenLabels(), manager)) {
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            NDArray logits = model.forward(ids, types, mask, false);
            assertEquals(c.expectedShape("tok_cls_logits"), logits.getShape());
            assertWithin(c, caseName(), "tok_cls_logits", logits.toFloatArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // Cross-entropy over the labelled tokens only (-100 ignored), their mean.
                NDArray labels = c.tokenLabels(manager).reshape(-1, 1);
                NDArray labelled = labels.neq(-100).toType(DataType.FLOAT32, false);
                NDArray picked = logits(model, ids, types, mask).reshape(labels.size(), -1).logSoftmax(-1)
                        .gather(labels.maximum(0), 1);
                NDArray loss = picked.mul(labelled).sum().neg().div(labelled.sum());
                collector.backward(loss);
                assertWithin(c, caseName(), "tok_cls_loss", loss.getFloat());
            }
            assertWithin(c, caseName(), "tok_cls_grad_norm", gradNorm(model));
        }
    }

    @Test
    void twoAdamWStepsMatchTransformers() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager();
                Head model = sequenceClassifier(c.dir(), c.numLabels(), manager)) {
            // The Trainer's weight-decay groups, as the fixture lists them.
            for (String name : model.namedParameters().keySet()) {
                assertEquals(!c.noDecayParameters().contains(name), AdamW.decays(name), name + " weight decay group");
            }
            HfOracleCase.TwoSteps run = c.train(model, manager);
            assertWithin(c, caseName(), "loss_step1", run.loss()[0]);
            assertWithin(c, caseName(), "grad_norm_step1", run.gradNorm()[0]);
            assertWithin(c, caseName(), "loss_step2", run.loss()[1]);
            assertWithin(c, caseName(), "grad_norm_step2", run.gradNorm()[1]);
            assertWithin(c, caseName(), "loss_after2", run.lossAfter());
            double worst = 0;
            double worstSensitive = 0;
            String worstName = "";
            for (var e : model.namedParameters().entrySet()) {
                String tensor = "after2/" + e.getKey();
                float[] actual = e.getValue().toFloatArray();
                double[] expected = c.expected(tensor);
                Set<Long> sensitive = c.sensitive(e.getKey());
                double tolerance = c.tolerance(tensor);
                for (int i = 0; i < actual.length; i++) {
                    double error = Math.abs(actual[i] - expected[i]);
                    if (sensitive.contains((long) i)) {
                        worstSensitive = Math.max(worstSensitive, error);
                        assertTrue(error <= 2e-3, tensor + "[" + i + "] (sensitive): error " + error + " > 2e-3");
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
                    caseName(), worst, worstName, worstSensitive);
        }
    }

    @Test
    void savePretrainedWritesTheFixtureKeysAndReloadsIdentically() throws IOException {
        HfOracleCase c = HfOracleCase.load(caseName());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            float[] before;
            try (Head model = sequenceClassifier(c.dir(), c.numLabels(), manager)) {
                before = model.forward(ids, types, mask, false).toFloatArray();
                model.savePretrained(saved);
            }
            try (SafetensorsReader fixture = SafetensorsReader.open(c.dir().resolve("model.safetensors"));
                    SafetensorsReader written = SafetensorsReader.open(saved.resolve("model.safetensors"))) {
                assertEquals(new TreeSet<>(fixture.names()), new TreeSet<>(written.names()));
            }
            try (Head reloaded = sequenceClassifier(saved, c.numLabels(), manager)) {
                float[] after = reloaded.forward(ids, types, mask, false).toFloatArray();
                assertEquals(0.0, HfOracleCase.maxAbsDiff(after, toDoubles(before)));
            }
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
