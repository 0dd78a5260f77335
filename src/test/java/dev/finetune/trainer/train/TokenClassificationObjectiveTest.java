package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.data.EncodedExample;
import dev.finetune.trainer.data.PaddingCollator;
import dev.finetune.trainer.model.HfOracleCase;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.TokenClassificationModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token-classification loss as transformers' ForTokenClassification, and run_ner.py's metrics. */
class TokenClassificationObjectiveTest {
    private static final List<String> TAGS = List.of("O", "B-PER", "I-PER");

    @Test
    void theLossIsTheCrossEntropyMeanOverLabelledTokens() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Row 0: tokens 1 (label 1) and 2 (label 0); row 1: token 1 (label 2); the rest -100.
            float[][][] logits = {
                {{9, 9, 9}, {0, 2, 0}, {1, 0, 0}},
                {{5, 5, 5}, {0, 0, 3}, {7, 1, 1}}};
            long[][] labels = {{-100, 1, 0}, {-100, 2, -100}};
            NDArray logitArray = manager.create(flatten(logits), new Shape(2, 3, 3));
            NDArray labelArray = manager.create(new long[] {-100, 1, 0, -100, 2, -100}, new Shape(2, 3));
            double expected = ce(logits[0][1], 1) + ce(logits[0][2], 0) + ce(logits[1][1], 2);
            TokenClassificationObjective objective = new TokenClassificationObjective(TAGS);
            assertEquals(expected, objective.lossSum(logitArray, labelArray).getFloat(), 1e-5);

            // items: the labelled tokens the collator counted (3), so lossSum / items is the HF mean.
            Batch batch = new PaddingCollator(0).collate(List.of(
                    new EncodedExample(new int[] {101, 7, 8}, new int[3], -1, null, null, new int[] {-100, 1, 0}),
                    new EncodedExample(new int[] {101, 9}, new int[2], -1, null, null, new int[] {-100, 2})), manager);
            assertEquals(3, objective.items(batch));
            assertEquals(new Shape(2, 3), batch.labels().getShape());
            assertEquals(DataType.INT64, batch.labels().getDataType());
            assertEquals(List.of(-100L, 1L, 0L, -100L, 2L, -100L), boxed(batch.labels().toLongArray()), "padding is -100");
        }
    }

    @Test
    void metricsScoreTheFirstSubTokenOfEachWord() {
        // Row: [CLS] John(B-PER) Sm ##ith(I-PER: first "Sm" labelled, "##ith" -100) said(O) [SEP].
        float[][] tokenLogits = {
            {0, 0, 9}, // [CLS], ignored though its argmax is I-PER
            {0, 5, 0}, // B-PER right
            {0, 0, 5}, // I-PER right
            {5, 0, 0}, // ##ith ignored
            {0, 4, 0}, // said: predicted B-PER, gold O
            {9, 0, 0}};
        int[] labels = {-100, 1, 2, -100, 0, -100};
        Map<String, Double> metrics = new TokenClassificationObjective(TAGS).metrics(List.of(Prediction.ofTokens(tokenLogits, labels)));
        double loss = (ce(tokenLogits[1], 1) + ce(tokenLogits[2], 2) + ce(tokenLogits[4], 0)) / 3;
        assertEquals(loss, metrics.get("eval_loss"), 1e-9);
        // gold PER(0-1); predicted PER(0-1) and PER(2): precision 1/2, recall 1/1; accuracy 2/3 words.
        assertEquals(0.5, metrics.get("eval_precision"), 1e-12);
        assertEquals(1.0, metrics.get("eval_recall"), 1e-12);
        assertEquals(2.0 / 3, metrics.get("eval_f1"), 1e-12);
        assertEquals(2.0 / 3, metrics.get("eval_accuracy"), 1e-12);
        assertEquals(List.of("eval_loss", "eval_precision", "eval_recall", "eval_f1", "eval_accuracy"), List.copyOf(metrics.keySet()));
    }

    @Test
    void evalLossIsTheMeanOfBatchLossesWeightedByRowsAsTheHfTrainer() {
        // Batch 0: one row with 1 labelled token; batch 1: two rows with 3 labelled tokens between them.
        Prediction a = Prediction.ofTokens(new float[][] {{0, 0, 0}, {2, 0, 0}}, new int[] {-100, 0});
        Prediction b = Prediction.ofTokens(new float[][] {{0, 0, 0}, {0, 1, 0}, {0, 0, 3}}, new int[] {-100, 1, 2});
        Prediction c = Prediction.ofTokens(new float[][] {{0, 0, 0}, {1, 1, 0}}, new int[] {-100, 0});
        double batch0 = ce(new float[] {2, 0, 0}, 0);
        double batch1 = (ce(new float[] {0, 1, 0}, 1) + ce(new float[] {0, 0, 3}, 2) + ce(new float[] {1, 1, 0}, 0)) / 3;
        TokenClassificationObjective objective = new TokenClassificationObjective(TAGS);
        // HF: losses.repeat(batch_size) per batch, then the mean: (1 * batch0 + 2 * batch1) / 3.
        assertEquals((batch0 + 2 * batch1) / 3, objective.metrics(List.of(a, b, c), List.of(1, 2)).get("eval_loss"), 1e-12);
        // One batch: the mean over the four labelled tokens, which differs.
        double flat = (batch0 + 3 * batch1) / 4;
        assertEquals(flat, objective.metrics(List.of(a, b, c)).get("eval_loss"), 1e-12);
        assertEquals(flat, objective.metrics(List.of(a, b, c), List.of(3)).get("eval_loss"), 1e-12);
    }

    /**
     * tok_cls_loss of every hf-oracle case with a token head: through this objective on the fixture's own
     * tok_cls_logits (float64 rounded to float32) and on the logits of the family's token classifier loaded from
     * token_classification/, both against transformers' value within case.json's tolerance; eval_loss (the mean
     * the metrics report) agrees.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta", "xlm-roberta", "distilbert", "electra", "deberta-v2", "mpnet", "albert"})
    void theLossMatchesTransformersOnTheOracleCases(String name) throws Exception {
        HfOracleCase oracle = HfOracleCase.load(name);
        double expected = oracle.expected("tok_cls_loss")[0];
        double tolerance = oracle.tolerance("tok_cls_loss");
        TokenClassificationObjective objective = new TokenClassificationObjective(tags(oracle.numTokenLabels()));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray labels = oracle.tokenLabels(manager);
            long items = countLabelled(labels.toLongArray());
            double[] reference = oracle.expected("tok_cls_logits");
            float[] rounded = new float[reference.length];
            for (int i = 0; i < reference.length; i++) {
                rounded[i] = (float) reference[i];
            }
            NDArray fixtureLogits = manager.create(rounded, oracle.expectedShape("tok_cls_logits"));
            assertEquals(expected, objective.lossSum(fixtureLogits, labels).getFloat() / items, tolerance, "fixture logits");
            assertEquals(expected, objective.metrics(rows(fixtureLogits, labels)).get("eval_loss"), tolerance, "eval_loss");

            try (TokenClassificationModel model = ModelFamilies.tokenClassifierFromPretrained(oracle.tokenClassificationDir(),
                    oracle.numTokenLabels(), null, manager, 0)) {
                NDArray types = oracle.tokenTypeIds(manager);
                NDArray inputs = oracle.inputIds(manager);
                NDArray logits = model.forward(inputs, types == null ? inputs.zerosLike() : types, oracle.attentionMask(manager), false);
                assertEquals(expected, objective.lossSum(logits, labels).getFloat() / items, tolerance, "model logits");
            }
        }
    }

    private static List<Prediction> rows(NDArray logits, NDArray labels) {
        long[] shape = logits.getShape().getShape();
        float[] flat = logits.toFloatArray();
        long[] gold = labels.toLongArray();
        List<Prediction> rows = new ArrayList<>();
        for (int b = 0; b < shape[0]; b++) {
            float[][] tokens = new float[(int) shape[1]][(int) shape[2]];
            int[] tokenLabels = new int[(int) shape[1]];
            for (int t = 0; t < shape[1]; t++) {
                System.arraycopy(flat, (int) ((b * shape[1] + t) * shape[2]), tokens[t], 0, (int) shape[2]);
                tokenLabels[t] = (int) gold[(int) (b * shape[1] + t)];
            }
            rows.add(Prediction.ofTokens(tokens, tokenLabels));
        }
        return rows;
    }

    private static List<String> tags(int count) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tags.add("LABEL_" + i);
        }
        return tags;
    }

    private static long countLabelled(long[] labels) {
        long n = 0;
        for (long label : labels) {
            n += label != -100 ? 1 : 0;
        }
        return n;
    }

    private static double ce(float[] logits, int label) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l);
        }
        return Math.log(sum) - logits[label];
    }

    private static float[] flatten(float[][][] values) {
        List<Float> all = new ArrayList<>();
        for (float[][] a : values) {
            for (float[] b : a) {
                for (float c : b) {
                    all.add(c);
                }
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>();
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
