package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.trainer.train.StopRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's exactness test: 12 steps straight, versus a child JVM killed with SIGKILL after its checkpoint at step 6
 * and resumed here: the same final weights and the same log_history. Also for a family other than BERT: resume
 * does not know which family it runs on; and for a regression (float targets, MSE), which it does not know either.
 */
class ResumeExactnessTest {
    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"bert, single_label_classification", "mpnet, single_label_classification", "bert, regression"})
    void aRunKilledAfterItsCheckpointAndResumedEndsAsTheStraightRun(String modelType, String problemType) throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        ToyRun.Result straight = ToyRun.run(temp.resolve("straight"), tokenizer, ToyRun.spec(), null, new StopRequest(),
                null, modelType, problemType);
        assertFalse(straight.resumed());
        assertEquals(12, straight.state().globalStep);

        Path output = temp.resolve("killed");
        Path log = temp.resolve("child.log");
        Process child = ChildJvm.start(log, "train", output.toString(), tokenizer.toString(), "6", modelType,
                problemType);
        Optional<Path> checkpoint = Optional.empty();
        boolean aliveAtKill;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (checkpoint.isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                checkpoint = CheckpointReader.latest(output);
            }
            aliveAtKill = child.isAlive();
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks in the child
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(aliveAtKill, "the child ended before it was killed: " + Files.readString(log));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertEquals(Optional.of(output.resolve("checkpoint-6")), checkpoint, Files.readString(log));
        assertFalse(Files.exists(output.resolve("final")), "the child must not have finished");

        ToyRun.Result resumed = ToyRun.run(output, tokenizer, ToyRun.spec(), null, new StopRequest(), null, modelType,
                problemType);
        assertTrue(resumed.resumed());
        assertEquals(12, resumed.state().globalStep);
        double maxDiff = 0;
        for (Map.Entry<String, float[]> e : straight.weights().entrySet()) {
            float[] a = e.getValue();
            float[] b = resumed.weights().get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            }
        }
        assertTrue(maxDiff <= 1e-6, "max abs weight difference " + maxDiff);
        List<String> expected = losses(straight.state().logHistory);
        assertEquals(expected, losses(resumed.state().logHistory));
        assertTrue(expected.size() > 10, "the history holds the losses: " + expected);
        assertEquals(straight.state().bestMetric, resumed.state().bestMetric);
        assertEquals(straight.state().bestGlobalStep, resumed.state().bestGlobalStep);
    }

    /** Every loss of the history with its step, as text (train runtimes and speeds differ by nature). */
    static List<String> losses(List<Map<String, Object>> history) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> entry : history) {
            for (String key : List.of("loss", "grad_norm", "learning_rate", "eval_loss", "eval_f1", "eval_pearson", "train_loss", "epoch")) {
                if (entry.containsKey(key)) {
                    out.add(((Number) entry.get("step")).longValue() + ":" + key + "=" + entry.get(key));
                }
            }
        }
        return out;
    }
}
