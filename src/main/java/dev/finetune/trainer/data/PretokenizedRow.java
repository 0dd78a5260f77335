package dev.finetune.trainer.data;

/**
 * A row that came with its token ids: where it stands in its file and its label ({@code row}, without texts), and
 * its ids as the model takes them ({@code input}).
 */
public record PretokenizedRow(Example row, EncodedExample input) {}
