package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import dev.finetune.trainer.data.Batch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * regression: MSELoss, the mean over rows x outputs (for one output transformers squeezes logits and labels to
 * (B), the same mean); scored as GLUE's STS-B is: Pearson and Spearman correlation (of the first output), and mse.
 */
public final class RegressionObjective implements TaskObjective {
    @Override
    public NDArray lossSum(NDArray logits, NDArray labels) {
        NDArray targets = labels.toType(logits.getDataType(), false).reshape(logits.getShape());
        return logits.sub(targets).square().sum();
    }

    @Override
    public long items(Batch batch) {
        return batch.labels().getShape().size();
    }

    @Override
    public Map<String, Double> metrics(List<Prediction> rows) {
        int outputs = rows.get(0).logits().length;
        double squares = 0;
        double[] predicted = new double[rows.size()];
        double[] gold = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Prediction r = rows.get(i);
            for (int k = 0; k < outputs; k++) {
                double error = r.logits()[k] - r.goldTargets()[k];
                squares += error * error;
            }
            predicted[i] = r.logits()[0];
            gold[i] = r.goldTargets()[0];
        }
        double mse = squares / ((double) rows.size() * outputs);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", mse);
        metrics.put("eval_mse", mse);
        metrics.put("eval_pearson", pearson(predicted, gold));
        metrics.put("eval_spearmanr", pearson(ranks(predicted), ranks(gold)));
        return metrics;
    }

    /** scipy's pearsonr; NaN where either side is constant, as scipy returns. */
    static double pearson(double[] x, double[] y) {
        double meanX = Arrays.stream(x).average().orElse(Double.NaN);
        double meanY = Arrays.stream(y).average().orElse(Double.NaN);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
            syy += (y[i] - meanY) * (y[i] - meanY);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** 1-based ranks, ties given their average rank (scipy's rankdata 'average'), as spearmanr ranks. */
    static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[values.length];
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double rank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) {
                ranks[order[i]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }
}
