package dev.finetune.trainer.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accuracy, F1, macro-F1 and Matthews correlation from predicted and gold labels, as scikit-learn
 * computes them (F1 is 0 where precision and recall are undefined; MCC is 0 where its denominator is 0).
 */
public final class ClassificationMetrics {
    private final long[][] confusion; // [gold][predicted]
    private final int numLabels;
    private final long total;

    public ClassificationMetrics(int[] predicted, int[] gold, int numLabels) {
        if (predicted.length != gold.length) {
            throw new IllegalArgumentException("predicted and gold labels differ in length: "
                    + predicted.length + " vs " + gold.length);
        }
        if (numLabels < 2) {
            throw new IllegalArgumentException("numLabels must be >= 2, got " + numLabels);
        }
        this.numLabels = numLabels;
        this.confusion = new long[numLabels][numLabels];
        for (int i = 0; i < gold.length; i++) {
            check(gold[i], "gold", i);
            check(predicted[i], "predicted", i);
            confusion[gold[i]][predicted[i]]++;
        }
        this.total = gold.length;
    }

    private void check(int label, String which, int row) {
        if (label < 0 || label >= numLabels) {
            throw new IllegalArgumentException(which + " label " + label + " of row " + row
                    + " is out of range [0, " + numLabels + ")");
        }
    }

    public double accuracy() {
        if (total == 0) {
            return 0.0;
        }
        long correct = 0;
        for (int k = 0; k < numLabels; k++) {
            correct += confusion[k][k];
        }
        return (double) correct / total;
    }

    /** F1 of one class: 2 tp / (2 tp + fp + fn); 0 when that is 0/0. */
    public double f1(int label) {
        long tp = confusion[label][label];
        long fp = 0;
        long fn = 0;
        for (int k = 0; k < numLabels; k++) {
            if (k != label) {
                fp += confusion[k][label];
                fn += confusion[label][k];
            }
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }

    /** Unweighted mean of the per-class F1 over all labels. */
    public double macroF1() {
        double sum = 0;
        for (int k = 0; k < numLabels; k++) {
            sum += f1(k);
        }
        return sum / numLabels;
    }

    /** Multi-class MCC (Gorodkin's R_K, sklearn's matthews_corrcoef); 0 when undefined. */
    public double matthewsCorrelation() {
        double c = 0;
        double s = total;
        double[] t = new double[numLabels]; // times each class truly occurred
        double[] p = new double[numLabels]; // times each class was predicted
        for (int i = 0; i < numLabels; i++) {
            c += confusion[i][i];
            for (int j = 0; j < numLabels; j++) {
                t[i] += confusion[i][j];
                p[j] += confusion[i][j];
            }
        }
        double tp = 0;
        double pp = 0;
        double tt = 0;
        for (int k = 0; k < numLabels; k++) {
            tp += t[k] * p[k];
            pp += p[k] * p[k];
            tt += t[k] * t[k];
        }
        double denominator = Math.sqrt((s * s - pp) * (s * s - tt));
        return denominator == 0 ? 0.0 : (c * s - tp) / denominator;
    }

    /**
     * The Trainer's metric names (without the eval_ prefix): accuracy and matthews_correlation always,
     * f1 (of label 1) for two labels, macro_f1 for more.
     */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy());
        if (numLabels == 2) {
            m.put("f1", f1(1));
        } else {
            m.put("macro_f1", macroF1());
        }
        m.put("matthews_correlation", matthewsCorrelation());
        return m;
    }
}
