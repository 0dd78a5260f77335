package dev.finetune.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.data.EncodedExample;
import dev.finetune.trainer.data.Example;
import dev.finetune.trainer.train.Prediction;
import dev.finetune.trainer.train.TokenClassificationObjective;
import java.util.List;

/**
 * predict's output line for a TokenClassification row: per word, the predicted tag id and name (the arg-max of the
 * word's first sub-token, as run_ner.py reads predictions; null for a word cut off by truncation), the logits of
 * every token (specials and sub-tokens included, as the model returns them) and, where the data is tagged, the
 * gold tag ids. A pre-tokenised row has no words: its predictions are those of its labelled tokens (of every token
 * when it has no labels).
 */
final class TokenPredictionRow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenPredictionRow() {}

    static ObjectNode of(Example example, Prediction prediction, List<String> tagNames) {
        ObjectNode row = JSON.createObjectNode();
        row.put("line", example.line());
        int words = example.texts().size();
        ArrayNode predicted = row.putArray("predicted");
        ArrayNode predictedTags = row.putArray("predicted_tags");
        int word = 0;
        for (int t = 0; t < prediction.tokenLabels().length; t++) {
            if (prediction.tokenLabels()[t] != EncodedExample.IGNORED) {
                int tag = TokenClassificationObjective.argmax(prediction.tokenLogits()[t]);
                predicted.add(tag);
                predictedTags.add(tagNames.get(tag));
                word++;
            }
        }
        for (; word < words; word++) {
            predicted.addNull(); // truncated away
            predictedTags.addNull();
        }
        ArrayNode logits = row.putArray("logits");
        for (float[] token : prediction.tokenLogits()) {
            ArrayNode values = logits.addArray();
            for (float logit : token) {
                values.add(logit);
            }
        }
        if (example.wordTags() != null) {
            ArrayNode gold = row.putArray("labels");
            for (int tag : example.wordTags()) {
                gold.add(tag);
            }
        } else if (prediction.labelled()) {
            ArrayNode gold = row.putArray("labels");
            for (int label : prediction.tokenLabels()) {
                if (label != EncodedExample.IGNORED) {
                    gold.add(label);
                }
            }
        }
        return row;
    }
}
