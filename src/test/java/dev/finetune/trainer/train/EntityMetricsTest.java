package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.finetune.trainer.train.EntityMetrics.Entity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Entity-level scores as seqeval's default mode gives them, checked against values worked out by hand. */
class EntityMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void chunksAreReadAsConllevalReadsThem() {
        assertEquals(Set.of(new Entity("PER", 0, 1), new Entity("LOC", 3, 3)),
                EntityMetrics.entities(List.of("B-PER", "I-PER", "O", "B-LOC")));
        // I- without B- starts a chunk (after O, and where the type changes); B- after B- starts another.
        assertEquals(Set.of(new Entity("PER", 1, 2), new Entity("LOC", 3, 3)),
                EntityMetrics.entities(List.of("O", "I-PER", "I-PER", "I-LOC")));
        assertEquals(Set.of(new Entity("ORG", 0, 0), new Entity("ORG", 1, 2)),
                EntityMetrics.entities(List.of("B-ORG", "B-ORG", "I-ORG")));
        // B-PER then I-LOC: two chunks, PER ends where the type changes.
        assertEquals(Set.of(new Entity("PER", 0, 0), new Entity("LOC", 1, 1)),
                EntityMetrics.entities(List.of("B-PER", "I-LOC")));
        assertEquals(Set.of(), EntityMetrics.entities(List.of("O", "O")));
    }

    @Test
    void theSeqevalMetricCardExample() {
        // predictions [[O O B-MISC I-MISC I-MISC I-MISC O] [B-PER I-PER O]], references [[O O O B-MISC I-MISC I-MISC O]
        // [B-PER I-PER O]]: the card gives overall precision 0.5, recall 0.5, f1 0.5, accuracy 0.8.
        EntityMetrics.Scores scores = EntityMetrics.score(
                List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O")),
                List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O")));
        assertEquals(0.5, scores.precision(), EPS);
        assertEquals(0.5, scores.recall(), EPS);
        assertEquals(0.5, scores.f1(), EPS);
        assertEquals(0.8, scores.accuracy(), EPS);
    }

    @Test
    void anEntityCountsOnlyWithTypeStartAndEndRight() {
        // gold: PER(0-1), LOC(3), ORG(5-6) | predicted: PER(0-1) right, LOC(3) as I-LOC after O (a chunk start: right),
        // ORG(5) too short, MISC(7) spurious. tp 2, predicted 4, gold 3.
        List<String> gold = List.of("B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O");
        List<String> predicted = List.of("B-PER", "I-PER", "O", "I-LOC", "O", "B-ORG", "O", "B-MISC");
        EntityMetrics.Scores scores = EntityMetrics.score(List.of(gold), List.of(predicted));
        assertEquals(2.0 / 4, scores.precision(), EPS);
        assertEquals(2.0 / 3, scores.recall(), EPS);
        assertEquals(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), scores.f1(), EPS);
        assertEquals(5.0 / 8, scores.accuracy(), EPS); // B-LOC/I-LOC, I-ORG/O and O/B-MISC differ
    }

    @Test
    void rowsAreJoinedWithOBetweenThem() {
        // An I-PER opening row 2 after a B-PER closing row 1 is a new entity, not a continuation across rows.
        EntityMetrics.Scores scores = EntityMetrics.score(
                List.of(List.of("O", "B-PER"), List.of("B-PER", "O")),
                List.of(List.of("O", "B-PER"), List.of("I-PER", "O")));
        assertEquals(1.0, scores.precision(), EPS);
        assertEquals(1.0, scores.recall(), EPS);
    }

    @Test
    void nothingToCountIsZeroAsSeqevalsZeroDivision() {
        EntityMetrics.Scores none = EntityMetrics.score(List.of(List.of("O", "O")), List.of(List.of("O", "O")));
        assertEquals(0.0, none.precision());
        assertEquals(0.0, none.recall());
        assertEquals(0.0, none.f1());
        assertEquals(1.0, none.accuracy());
        EntityMetrics.Scores missed = EntityMetrics.score(List.of(List.of("B-LOC")), List.of(List.of("O")));
        assertEquals(0.0, missed.precision());
        assertEquals(0.0, missed.recall());
        assertEquals(0.0, missed.f1());
    }
}
