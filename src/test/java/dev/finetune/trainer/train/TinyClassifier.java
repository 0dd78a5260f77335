package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test stand-in for BertForSequenceClassification: token embeddings, masked mean pooling, LayerNorm-free
 * dropout and a linear classifier, with HF-style names so the decay groups apply. Ops keep the per-step
 * arrays as first operand, so intermediates land in the caller's step manager.
 */
final class TinyClassifier implements SequenceClassifier {
    private final LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();
    private final int vocab;
    private final float dropout;

    TinyClassifier(NDManager manager, int vocab, int hidden, int numLabels, float dropout, long seed) {
        this.vocab = vocab;
        this.dropout = dropout;
        java.util.Random random = new java.util.Random(seed);
        parameters.put("embeddings.word_embeddings.weight", normal(manager, random, new Shape(vocab, hidden), 0.5));
        parameters.put("embeddings.LayerNorm.bias", manager.zeros(new Shape(hidden)));
        parameters.put("classifier.weight", normal(manager, random, new Shape(numLabels, hidden), 0.1));
        parameters.put("classifier.bias", manager.zeros(new Shape(numLabels)));
        parameters.values().forEach(p -> p.setRequiresGradient(true));
    }

    /** A copy with the same weights, in another manager (what loading a checkpoint gives). */
    TinyClassifier copy(NDManager manager) {
        TinyClassifier c = new TinyClassifier(manager, vocab, 1, 1, dropout, 0);
        c.parameters.clear();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = manager.create(e.getValue().toFloatArray(), e.getValue().getShape());
            p.setRequiresGradient(true);
            c.parameters.put(e.getKey(), p);
        }
        return c;
    }

    private static NDArray normal(NDManager manager, java.util.Random random, Shape shape, double std) {
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return manager.create(values, shape);
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask, boolean training) {
        NDArray embedded = inputIds.oneHot(vocab).matMul(parameters.get("embeddings.word_embeddings.weight")); // (B,T,H)
        NDArray mask = attentionMask.toType(DataType.FLOAT32, false).expandDims(-1); // (B,T,1)
        NDArray pooled = embedded.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}))
                .add(parameters.get("embeddings.LayerNorm.bias"));
        NDArray dropped = Dropout.dropout(pooled, dropout, training).singletonOrThrow();
        // The transpose would land in the parameter's manager: move it to the step's.
        NDArray classifierT = parameters.get("classifier.weight").transpose();
        classifierT.attach(inputIds.getManager());
        return dropped.matMul(classifierT).add(parameters.get("classifier.bias"));
    }

    @Override
    public LinkedHashMap<String, NDArray> namedParameters() {
        return parameters;
    }
}
