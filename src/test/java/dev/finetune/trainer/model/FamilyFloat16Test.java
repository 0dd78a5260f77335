package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fp16 through the family-agnostic interface, on each hf-oracle case: the float16 forward pass on casts of the
 * float32 masters gives float32 logits near transformers' float64 ones, and every master gets a float32 gradient.
 */
class FamilyFloat16Test {
    /** float16 has 11 significant bits: ~5e-4 relative per op, compounded over two layers; logits here are ~1. */
    private static final double LOGIT_TOLERANCE = 2e-2;

    @ParameterizedTest
    @ValueSource(strings = {"bert", "mpnet", "deberta-v2", "roberta", "xlm-roberta", "electra"})
    void theFloat16ForwardMatchesTransformersAndEveryMasterGetsAFloat32Gradient(String caseName) throws Exception {
        HfOracleCase c = HfOracleCase.load(caseName);
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = ModelFamilies.fromPretrained(c.dir(), c.numLabels(), null, manager, 0)) {
            NDArray ids = c.inputIds(manager);
            NDArray types = c.tokenTypeIds(manager);
            NDArray mask = c.attentionMask(manager);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forwardFloat16(ids, types, mask, false);
                assertEquals(DataType.FLOAT32, logits.getDataType());
                double error = HfOracleCase.maxAbsDiff(logits.toFloatArray(), c.expected("seq_cls_logits"));
                System.out.printf("fp16 %s seq_cls_logits: max abs error %.3e%n", caseName, error);
                assertTrue(error <= LOGIT_TOLERANCE, caseName + " fp16 logits: max abs error " + error);
                collector.backward(logits.sum());
            }
            for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                NDArray gradient = e.getValue().getGradient();
                assertNotNull(gradient, e.getKey());
                assertEquals(DataType.FLOAT32, gradient.getDataType(), e.getKey() + " is a float32 master");
            }
        }
    }
}
