package dev.finetune.trainer.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Pads a list of rows to the longest among them, as transformers' {@code DataCollatorWithPadding}
 * does: pad id after the tokens, token type 0 and attention mask 0 on padding (a pre-tokenised row keeps its own
 * attention mask). All arrays int64.
 */
public final class PaddingCollator {
    private final int padTokenId;

    public PaddingCollator(int padTokenId) {
        this.padTokenId = padTokenId;
    }

    /** A batch of {@code rows}, created in {@code manager} (the caller closes it after the step). */
    public Batch collate(List<EncodedExample> rows, NDManager manager) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        int size = rows.size();
        int width = rows.stream().mapToInt(EncodedExample::length).max().orElseThrow();
        long[] ids = new long[size * width];
        long[] types = new long[size * width];
        long[] mask = new long[size * width];
        long[] labels = new long[size];
        Arrays.fill(ids, padTokenId);
        for (int r = 0; r < size; r++) {
            EncodedExample row = rows.get(r);
            int offset = r * width;
            for (int t = 0; t < row.length(); t++) {
                ids[offset + t] = row.inputIds()[t];
                types[offset + t] = row.tokenTypeIds()[t];
                mask[offset + t] = row.attends(t);
            }
            labels[r] = row.label();
        }
        Shape shape = new Shape(size, width);
        return new Batch(manager.create(ids, shape), manager.create(types, shape),
                manager.create(mask, shape), manager.create(labels, new Shape(size)));
    }
}
