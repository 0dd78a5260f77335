package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.model.FamilyFixtureChecks;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every problem type against transformers (each hf-oracle case, among them the bert/roberta -multilabel and
 * -regression ones): the model loaded through the registry as from_pretrained (problem_type from the case's
 * config.json), its logits, and the loss the loop takes (the problem type's {@link TaskObjective}: lossSum / items;
 * cross-entropy, BCE-with-logits or MSE) and the gradient norm of that loss, each within case.json's float32 tolerance.
 */
class ProblemTypeOracleTest {
    private static final Path ORACLE = Path.of(System.getProperty("finetune.shared", "../shared")).resolve("fixtures/hf-oracle");

    /** The case folders whose model_type is registered (the four named ones, to be skipped, without the shared folder). */
    static Stream<String> cases() throws IOException {
        if (!Files.isDirectory(ORACLE)) {
            return Stream.of("bert-multilabel", "bert-regression", "roberta-multilabel", "roberta-regression");
        }
        ObjectMapper json = new ObjectMapper();
        List<String> names = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ORACLE)) {
            for (Path dir : dirs.sorted().toList()) {
                if (Files.isRegularFile(dir.resolve("case.json")) && ModelFamilies.supported().contains(
                        json.readTree(dir.resolve("config.json").toFile()).path("model_type").asText())) {
                    names.add(dir.getFileName().toString());
                }
            }
        }
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsLossAndGradNormMatchTransformers(String name) throws Exception {
        HfOracleCase c = HfOracleCase.load(name);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = FamilyFixtureChecks.load(c.dir(), manager)) {
            assertEquals(c.problemType(), model.config().problemType(), "problem_type read from config.json");
            assertEquals(c.numLabels(), model.config().numLabels());
            TaskObjective objective = TaskObjective.of(model.config().problemType(), model.config().numLabels());
            // Class ids (B) for single-label, float (B, numLabels) targets otherwise, as the collator makes them.
            Batch batch = new Batch(c.inputIds(manager), c.tokenTypeIds(manager), c.attentionMask(manager),
                    c.sequenceTargets(manager));

            NDArray logits = model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false);
            assertEquals(c.expectedShape("seq_cls_logits"), logits.getShape());
            assertWithin(c, name, "seq_cls_logits", logits.toFloatArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray trained = model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false);
                NDArray loss = objective.lossSum(trained, batch.labels()).div((float) objective.items(batch));
                collector.backward(loss);
                assertWithin(c, name, "loss", new float[] {loss.getFloat()});
            }
            List<NDArray> gradients = new ArrayList<>();
            model.namedParameters().values().forEach(p -> gradients.add(p.getGradient()));
            assertWithin(c, name, "grad_norm", new float[] {(float) GradientClipper.globalNorm(gradients)});
        }
    }

    private static void assertWithin(HfOracleCase c, String name, String tensor, float[] actual) {
        double error = HfOracleCase.maxAbsDiff(actual, c.expected(tensor));
        double tolerance = c.tolerance(tensor);
        System.out.printf("hf-oracle %s %s: max abs error %.3e (tolerance %.0e)%n", name, tensor, error, tolerance);
        assertTrue(error <= tolerance, name + " " + tensor + ": max abs error " + error + " > " + tolerance);
    }
}
