package dev.finetune.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Pads a list of rows to the longest among them, as transformers' {@code DataCollatorWithPadding}
 * does: pad id after the tokens, token type 0 and attention mask 0 on padding (a pre-tokenised row keeps its own
 * attention mask). All arrays int64, but for the float32 (B, numLabels) targets of multi-label and regression rows;
 * TokenClassification rows' labels are (B, T), padded with -100 as DataCollatorForTokenClassification does.
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
        int targetWidth = rows.stream().mapToInt(r -> r.targets() == null ? 0 : r.targets().length).max().orElseThrow();
        float[] targets = new float[size * targetWidth];
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
            if (targetWidth > 0) {
                if (row.targets() == null) {
                    Arrays.fill(targets, r * targetWidth, (r + 1) * targetWidth, Float.NaN); // predicting an unlabelled row
                } else if (row.targets().length != targetWidth) {
                    throw new IllegalArgumentException("row " + r + " of the batch has " + row.targets().length
                            + " targets where others have " + targetWidth);
                } else {
                    System.arraycopy(row.targets(), 0, targets, r * targetWidth, targetWidth);
                }
            }
        }
        Shape shape = new Shape(size, width);
        if (rows.get(0).tokenLabels() != null) {
            long[] tokenLabels = new long[size * width];
            Arrays.fill(tokenLabels, EncodedExample.IGNORED);
            long labelled = 0;
            for (int r = 0; r < size; r++) {
                int[] row = rows.get(r).tokenLabels();
                if (row == null) {
                    throw new IllegalArgumentException("row " + r + " of the batch has no token labels where row 0 has");
                }
                for (int t = 0; t < row.length; t++) {
                    tokenLabels[r * width + t] = row[t];
                    labelled += row[t] != EncodedExample.IGNORED ? 1 : 0;
                }
            }
            return new Batch(manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape),
                    manager.create(tokenLabels, shape), labelled);
        }
        // Multi-label and regression rows: float32 (B, numLabels) targets, as transformers' float labels.
        NDArray labelArray = targetWidth > 0
                ? manager.create(targets, new Shape(size, targetWidth))
                : manager.create(labels, new Shape(size));
        return new Batch(manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape), labelArray);
    }
}
