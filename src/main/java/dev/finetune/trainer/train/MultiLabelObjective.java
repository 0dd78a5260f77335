package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import dev.finetune.trainer.data.Batch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * multi_label_classification: BCEWithLogitsLoss, the mean over rows x labels; a label is predicted where its logit
 * is above 0 (probability 0.5). Metrics as scikit-learn computes them on the multi-hot matrices: eval_accuracy is
 * subset accuracy (every label of the row right), eval_f1 the micro-averaged F1, eval_macro_f1 the mean of the
 * per-label F1 (0 for a label never predicted nor present).
 */
public final class MultiLabelObjective implements TaskObjective {
    @Override
    public NDArray lossSum(NDArray logits, NDArray labels) {
        // max(x, 0) - x y + log(1 + exp(-|x|)): torch's numerically stable form.
        NDArray targets = labels.toType(logits.getDataType(), false);
        return logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log()).sum();
    }

    @Override
    public long items(Batch batch) {
        return batch.labels().getShape().size();
    }

    @Override
    public Map<String, Double> metrics(List<Prediction> rows) {
        int numLabels = rows.get(0).logits().length;
        long[] tp = new long[numLabels];
        long[] fp = new long[numLabels];
        long[] fn = new long[numLabels];
        long exact = 0;
        double loss = 0;
        for (Prediction r : rows) {
            boolean allRight = true;
            for (int k = 0; k < numLabels; k++) {
                double x = r.logits()[k];
                double y = r.goldTargets()[k];
                loss += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
                boolean predicted = x > 0;
                boolean gold = y > 0.5;
                if (predicted && gold) {
                    tp[k]++;
                } else if (predicted) {
                    fp[k]++;
                } else if (gold) {
                    fn[k]++;
                }
                allRight &= predicted == gold;
            }
            if (allRight) {
                exact++;
            }
        }
        long tpAll = 0;
        long fpAll = 0;
        long fnAll = 0;
        double macro = 0;
        for (int k = 0; k < numLabels; k++) {
            tpAll += tp[k];
            fpAll += fp[k];
            fnAll += fn[k];
            macro += f1(tp[k], fp[k], fn[k]);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", loss / ((double) rows.size() * numLabels));
        metrics.put("eval_accuracy", (double) exact / rows.size());
        metrics.put("eval_f1", f1(tpAll, fpAll, fnAll));
        metrics.put("eval_macro_f1", macro / numLabels);
        return metrics;
    }

    private static double f1(long tp, long fp, long fn) {
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }
}
