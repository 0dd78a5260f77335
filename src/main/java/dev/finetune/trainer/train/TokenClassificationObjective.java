package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.data.EncodedExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TokenClassification (NER): transformers' ForTokenClassification loss, cross-entropy over (B, T, numLabels) logits
 * averaged over the tokens whose label is not -100 (the first sub-token of each word); the metrics of run_ner.py:
 * entity-level precision, recall and F1 as seqeval computes them ({@link EntityMetrics}) and the accuracy over the
 * labelled tokens, each word's tag being the arg-max of its first sub-token.
 */
public final class TokenClassificationObjective implements TaskObjective {
    private final List<String> tagNames;

    /** @param tagNames the tag set by id (spec.task.labelNames, config.json's id2label) */
    public TokenClassificationObjective(List<String> tagNames) {
        this.tagNames = List.copyOf(tagNames);
    }

    @Override
    public NDArray lossSum(NDArray logits, NDArray labels) {
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray ids = labels.toType(DataType.INT64, false);
        NDArray counted = ids.neq(EncodedExample.IGNORED);
        // Ignored tokens gather class 0 and are multiplied by 0: the loss and its gradient skip them.
        NDArray index = ids.maximum(0L).expandDims(-1);
        NDArray picked = logProbabilities.gather(index, 2).squeeze(-1);
        return picked.mul(counted.toType(picked.getDataType(), false)).sum().neg();
    }

    /** The labelled tokens (counted while collating): the mean is over them, as the HF loss with ignore_index. */
    @Override
    public long items(Batch batch) {
        return batch.labelledTokens();
    }

    /** Scored as one batch: eval_loss is the mean over every labelled token. */
    @Override
    public Map<String, Double> metrics(List<Prediction> rows) {
        return metrics(rows, List.of(rows.size()));
    }

    @Override
    public Map<String, Double> metrics(List<Prediction> rows, List<Integer> batchRows) {
        if (batchRows.stream().mapToInt(Integer::intValue).sum() != rows.size()) {
            throw new IllegalArgumentException("batches of " + batchRows + " rows for " + rows.size() + " rows");
        }
        double[] rowLoss = new double[rows.size()];
        long[] rowLabelled = new long[rows.size()];
        List<List<String>> gold = new ArrayList<>(rows.size());
        List<List<String>> predicted = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Prediction row = rows.get(i);
            List<String> rowGold = new ArrayList<>();
            List<String> rowPredicted = new ArrayList<>();
            for (int t = 0; t < row.tokenLabels().length; t++) {
                int label = row.tokenLabels()[t];
                if (label == EncodedExample.IGNORED) {
                    continue;
                }
                if (label < 0 || label >= tagNames.size()) {
                    throw new IllegalArgumentException("row " + i + " token " + t + " has label " + label + " but the model has "
                            + tagNames.size() + " labels");
                }
                float[] logits = row.tokenLogits()[t];
                rowLoss[i] += CrossEntropy.row(logits, label);
                rowLabelled[i]++;
                rowGold.add(tagNames.get(label));
                rowPredicted.add(tagNames.get(argmax(logits)));
            }
            gold.add(rowGold);
            predicted.add(rowPredicted);
        }
        EntityMetrics.Scores scores = EntityMetrics.score(gold, predicted);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", batchWeightedLoss(rowLoss, rowLabelled, batchRows));
        metrics.put("eval_precision", scores.precision());
        metrics.put("eval_recall", scores.recall());
        metrics.put("eval_f1", scores.f1());
        metrics.put("eval_accuracy", scores.accuracy());
        return metrics;
    }

    /**
     * The HF Trainer's eval_loss: each batch's mean over its labelled tokens, repeated once per row of the batch,
     * then averaged. A batch without a labelled token (every word truncated away) has no mean (NaN in torch); it is
     * left out rather than making the whole evaluation NaN.
     */
    private static double batchWeightedLoss(double[] rowLoss, long[] rowLabelled, List<Integer> batchRows) {
        double weighted = 0;
        long rows = 0;
        int from = 0;
        for (int size : batchRows) {
            double sum = 0;
            long labelled = 0;
            for (int i = from; i < from + size; i++) {
                sum += rowLoss[i];
                labelled += rowLabelled[i];
            }
            if (labelled > 0) {
                weighted += size * (sum / labelled);
                rows += size;
            }
            from += size;
        }
        return rows == 0 ? Double.NaN : weighted / rows;
    }

    /** The class with the highest logit (the first of ties, as torch's argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int k = 1; k < logits.length; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        return best;
    }
}
