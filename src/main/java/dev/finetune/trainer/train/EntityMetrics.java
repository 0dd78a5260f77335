package dev.finetune.trainer.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Entity-level precision, recall and F1 as seqeval computes them in its default mode (what run_ner.py reports as
 * overall_*): chunks are read from IOB tags as conlleval reads them (an I- after O or after another type starts a
 * chunk), the sentences joined with O between them; an entity counts when its type, first and last word all match.
 * Micro-averaged over types; 0 where a ratio has nothing to count (seqeval's zero_division). Accuracy is over
 * every tagged word.
 */
public final class EntityMetrics {
    private EntityMetrics() {}

    /** The scores of {@code predicted} against {@code gold}: lists of tag names, one list per row. */
    public record Scores(double precision, double recall, double f1, double accuracy) {}

    public static Scores score(List<List<String>> gold, List<List<String>> predicted) {
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException(gold.size() + " gold rows but " + predicted.size() + " predicted");
        }
        List<String> goldTags = new ArrayList<>();
        List<String> predictedTags = new ArrayList<>();
        long correctTags = 0;
        long tags = 0;
        for (int r = 0; r < gold.size(); r++) {
            if (gold.get(r).size() != predicted.get(r).size()) {
                throw new IllegalArgumentException("row " + r + " has " + gold.get(r).size() + " gold tags but "
                        + predicted.get(r).size() + " predicted");
            }
            for (int w = 0; w < gold.get(r).size(); w++) {
                correctTags += gold.get(r).get(w).equals(predicted.get(r).get(w)) ? 1 : 0;
                tags++;
            }
            goldTags.addAll(gold.get(r));
            goldTags.add("O");
            predictedTags.addAll(predicted.get(r));
            predictedTags.add("O");
        }
        Set<Entity> goldEntities = entities(goldTags);
        Set<Entity> predictedEntities = entities(predictedTags);
        Set<Entity> correct = new HashSet<>(goldEntities);
        correct.retainAll(predictedEntities);
        double precision = ratio(correct.size(), predictedEntities.size());
        double recall = ratio(correct.size(), goldEntities.size());
        double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        return new Scores(precision, recall, f1, ratio(correctTags, tags));
    }

    /** One chunk: its type and its first and last position. */
    record Entity(String type, int start, int end) {}

    /** seqeval's get_entities (prefix tags): the chunks of {@code tags}, as conlleval delimits them. */
    static Set<Entity> entities(List<String> tags) {
        Set<Entity> entities = new HashSet<>();
        String previousTag = "O";
        String previousType = "";
        int begin = 0;
        for (int i = 0; i <= tags.size(); i++) {
            String chunk = i < tags.size() ? tags.get(i) : "O";
            String tag = chunk.isEmpty() ? "" : chunk.substring(0, 1);
            String rest = chunk.isEmpty() ? "" : chunk.substring(1);
            int dash = rest.indexOf('-');
            String type = dash >= 0 ? rest.substring(dash + 1) : rest; // "B-PER" -> PER, "B" -> "", "O" -> ""
            if (type.isEmpty()) {
                type = "_";
            }
            if (endsChunk(previousTag, tag, previousType, type)) {
                entities.add(new Entity(previousType, begin, i - 1));
            }
            if (startsChunk(previousTag, tag, previousType, type)) {
                begin = i;
            }
            previousTag = tag;
            previousType = type;
        }
        return entities;
    }

    private static boolean endsChunk(String previousTag, String tag, String previousType, String type) {
        return switch (previousTag) {
            case "E", "S" -> true;
            case "B", "I" -> tag.equals("B") || tag.equals("S") || tag.equals("O") || !previousType.equals(type);
            case "O", "." -> false;
            default -> !previousType.equals(type);
        };
    }

    private static boolean startsChunk(String previousTag, String tag, String previousType, String type) {
        if (tag.equals("B") || tag.equals("S")) {
            return true;
        }
        if ((tag.equals("E") || tag.equals("I")) && (previousTag.equals("E") || previousTag.equals("S") || previousTag.equals("O"))) {
            return true;
        }
        return !tag.equals("O") && !tag.equals(".") && !previousType.equals(type);
    }

    private static double ratio(long count, long total) {
        return total == 0 ? 0.0 : (double) count / total;
    }
}
