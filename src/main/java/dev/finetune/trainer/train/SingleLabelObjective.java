package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import dev.finetune.trainer.data.Batch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** single_label_classification: cross-entropy over classes; accuracy, F1 and MCC ({@link ClassificationMetrics}). */
public final class SingleLabelObjective implements TaskObjective {
    @Override
    public NDArray lossSum(NDArray logits, NDArray labels) {
        return CrossEntropy.sum(logits, labels);
    }

    @Override
    public long items(Batch batch) {
        return batch.size();
    }

    @Override
    public Map<String, Double> metrics(List<Prediction> rows) {
        int numLabels = rows.get(0).logits().length;
        int[] predicted = new int[rows.size()];
        int[] gold = new int[rows.size()];
        double lossSum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Prediction r = rows.get(i);
            if (r.gold() >= numLabels) {
                throw new IllegalArgumentException("row " + i + " has label " + r.gold() + " but the model has "
                        + numLabels + " labels");
            }
            predicted[i] = r.predicted();
            gold[i] = r.gold();
            lossSum += CrossEntropy.row(r.logits(), r.gold());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", lossSum / rows.size());
        new ClassificationMetrics(predicted, gold, numLabels).asMap().forEach((k, v) -> metrics.put("eval_" + k, v));
        return metrics;
    }
}
