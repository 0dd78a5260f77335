package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    /** Returns fixed logits per row: the row's first token id decides them. */
    private static final class FixedLogits implements SequenceClassifier {
        boolean gradModeSeen;

        @Override
        public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
            gradModeSeen |= JniUtils.isGradMode();
            long[] ids = inputIds.toLongArray();
            int rows = (int) inputIds.getShape().get(0);
            int width = (int) inputIds.getShape().get(1);
            float[] logits = new float[rows * 2];
            for (int r = 0; r < rows; r++) {
                boolean positive = ids[r * width] % 2 == 0;
                logits[2 * r] = positive ? 0f : 2f;
                logits[2 * r + 1] = positive ? 1f : 0f;
            }
            return inputIds.getManager().create(logits, new ai.djl.ndarray.types.Shape(rows, 2));
        }

        @Override
        public LinkedHashMap<String, NDArray> namedParameters() {
            return new LinkedHashMap<>();
        }
    }

    @Test
    void lossIsTheMeanOverRowsAndMetricsFollowThePredictions() {
        FixedLogits model = new FixedLogits();
        ToyData data = ToyData.eval(10, 4); // 3 batches: 4 + 4 + 2 rows
        Predictions predictions = new Evaluator(model).predict(data);
        assertEquals(10, predictions.rows().size());
        assertFalse(model.gradModeSeen, "evaluation must run without autograd");

        int[] predicted = new int[10];
        int[] gold = new int[10];
        double loss = 0;
        for (int i = 0; i < 10; i++) {
            Prediction p = predictions.rows().get(i);
            predicted[i] = p.predicted();
            gold[i] = p.gold();
            assertEquals(p.logits()[1] > p.logits()[0] ? 1 : 0, p.predicted());
            // log-softmax of (0, 1) and (2, 0) written out
            double lse = p.predicted() == 1 ? Math.log(1 + Math.E) : Math.log(Math.exp(2) + 1);
            loss += lse - p.logits()[p.gold()];
        }
        Map<String, Double> m = predictions.metrics();
        assertEquals(loss / 10, m.get("eval_loss"), 1e-6);
        ClassificationMetrics expected = new ClassificationMetrics(predicted, gold, 2);
        assertEquals(expected.accuracy(), m.get("eval_accuracy"), 0);
        assertEquals(expected.f1(1), m.get("eval_f1"), 0);
        assertTrue(m.containsKey("eval_runtime") && m.containsKey("eval_samples_per_second"));
    }

    @Test
    void withoutLabelsPredictGivesRowsAndNoMetrics() {
        ToyData unlabelled = new ToyData(6, 4, 0, false, true);
        Predictions predictions = new Evaluator(new FixedLogits()).predict(unlabelled);
        assertEquals(6, predictions.rows().size());
        assertTrue(predictions.rows().stream().allMatch(r -> r.gold() == -1));
        assertFalse(predictions.metrics().containsKey("eval_loss"));
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(new FixedLogits()).evaluate(unlabelled));
        List<Prediction> rows = predictions.rows();
        assertEquals(2, rows.get(0).logits().length);
    }
}
