package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** multi_label_classification's loss and metrics against values worked out by hand (scikit-learn's definitions). */
class MultiLabelObjectiveTest {
    // 4 rows x 3 labels; a label is predicted where its logit is above 0 (sigmoid above 0.5), 0 itself is not.
    private static final float[][] LOGITS = {{2f, -1f, 0.5f}, {-1f, 1f, -2f}, {-3f, 0f, -1f}, {1f, 1f, 1f}};
    private static final float[][] GOLD = {{1, 0, 1}, {1, 1, 0}, {0, 0, 0}, {0, 0, 1}};

    private static List<Prediction> rows() {
        List<Prediction> rows = new ArrayList<>();
        for (int i = 0; i < LOGITS.length; i++) {
            rows.add(new Prediction(LOGITS[i], -1, -1, GOLD[i]));
        }
        return rows;
    }

    @Test
    void subsetAccuracyMicroAndMacroF1AsScikitLearn() {
        Map<String, Double> m = new MultiLabelObjective().metrics(rows());
        // Predicted sets {0,2} {1} {} {0,1,2} against {0,2} {0,1} {} {2}: rows 0 and 2 exactly right.
        assertEquals(0.5, m.get("eval_accuracy"), 1e-12);
        // Per label (tp, fp, fn): 0 (1, 1, 1) -> 1/2; 1 (1, 1, 0) -> 2/3; 2 (2, 0, 0) -> 1.
        // micro: tp 4, fp 2, fn 1 -> 8/11; macro: (1/2 + 2/3 + 1) / 3 = 13/18.
        assertEquals(8.0 / 11, m.get("eval_f1"), 1e-12);
        assertEquals(13.0 / 18, m.get("eval_macro_f1"), 1e-12);
        assertEquals(bceMean(), m.get("eval_loss"), 1e-9);
    }

    @Test
    void aLabelNeverPredictedNorPresentCountsZeroInMacroF1() {
        // Label 1 is absent and never predicted (scikit-learn's zero_division=0); label 0 is right on both rows.
        List<Prediction> rows = List.of(new Prediction(new float[] {3f, -2f}, -1, -1, new float[] {1, 0}),
                new Prediction(new float[] {-3f, -2f}, -1, -1, new float[] {0, 0}));
        Map<String, Double> m = new MultiLabelObjective().metrics(rows);
        assertEquals(1.0, m.get("eval_accuracy"));
        assertEquals(1.0, m.get("eval_f1"));
        assertEquals(0.5, m.get("eval_macro_f1"));
    }

    @Test
    void lossSumOverItemsIsTheElementwiseBceMeanAndStaysFiniteOnLargeLogits() {
        MultiLabelObjective objective = new MultiLabelObjective();
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] logits = new float[12];
            float[] gold = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(LOGITS[i], 0, logits, 3 * i, 3);
                System.arraycopy(GOLD[i], 0, gold, 3 * i, 3);
            }
            NDArray labels = manager.create(gold, new Shape(4, 3));
            Batch batch = new Batch(manager.zeros(new Shape(4, 5)), manager.zeros(new Shape(4, 5)), manager.ones(new Shape(4, 5)), labels);
            assertEquals(12, objective.items(batch), "the mean is over rows x labels, as BCEWithLogitsLoss");
            double loss = objective.lossSum(manager.create(logits, new Shape(4, 3)), labels).getFloat() / objective.items(batch);
            assertEquals(bceMean(), loss, 1e-6);

            // |x| = 100: log(1 + exp(100)) would overflow float32; the stable form gives 100 for a wrong label, 0 for a right one.
            NDArray large = manager.create(new float[] {100f, -100f}, new Shape(1, 2));
            assertEquals(100f, objective.lossSum(large, manager.create(new float[] {0f, 0f}, new Shape(1, 2))).getFloat(), 1e-3);
        }
    }

    /** -[y log s(x) + (1 - y) log(1 - s(x))] averaged over the 12 elements, written out. */
    private static double bceMean() {
        double sum = 0;
        for (int i = 0; i < LOGITS.length; i++) {
            for (int k = 0; k < 3; k++) {
                double p = 1 / (1 + Math.exp(-LOGITS[i][k]));
                sum -= GOLD[i][k] * Math.log(p) + (1 - GOLD[i][k]) * Math.log(1 - p);
            }
        }
        return sum / 12;
    }
}
