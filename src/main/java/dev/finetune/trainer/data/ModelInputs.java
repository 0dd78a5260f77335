package dev.finetune.trainer.data;

import java.nio.file.Path;

/**
 * What a model's config.json allows as input, for rows that come pre-tokenised: no tokenizer checks their ids, so
 * they are checked against the embedding tables and the position table here, before libtorch would fail mid-run.
 *
 * @param vocabSize ids must be below it (vocab_size)
 * @param typeVocabSize token type ids must be below it; 0 where the model has no token types (they are ignored)
 * @param padTokenId what batches are padded with (pad_token_id)
 * @param maxInputLength the longest row the position table can index
 * @param config the config.json these came from, for messages
 */
public record ModelInputs(int vocabSize, int typeVocabSize, int padTokenId, int maxInputLength, Path config) {}
