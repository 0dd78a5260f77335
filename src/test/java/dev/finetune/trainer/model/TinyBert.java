package dev.finetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A few-thousand-parameter BERT config and inputs, for fast tests. */
final class TinyBert {
    static final int VOCAB = 50;

    private TinyBert() {}

    static BertConfig config(int maxPositions) {
        return BertConfig.parse("{\"vocab_size\": " + VOCAB + ", \"hidden_size\": 16, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 32, \"max_position_embeddings\": " + maxPositions
                + ", \"hidden_dropout_prob\": 0.1, \"attention_probs_dropout_prob\": 0.1, \"num_labels\": 2}", "tiny config");
    }

    /** (batch, length) ids in [1, VOCAB), with the last {@code padding} tokens of row 0 padded. */
    static NDArray[] inputs(NDManager manager, int batch, int length, int padding) {
        long[] ids = new long[batch * length];
        long[] types = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            int t = i % length;
            boolean pad = i < length && t >= length - padding;
            ids[i] = pad ? 0 : 1 + (i * 7 + 3) % (VOCAB - 1);
            types[i] = t >= length / 2 && !pad ? 1 : 0;
            mask[i] = pad ? 0 : 1;
        }
        Shape shape = new Shape(batch, length);
        return new NDArray[] {manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape)};
    }
}
