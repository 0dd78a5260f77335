package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.7: a real SIGTERM to a child JVM mid-run (between checkpoints 6 and 12 are the save steps; the signal comes
 * after step 2): it finishes the step under way, writes checkpoint-N at that step, and exits 143 (retried by the Job).
 * Resumed here, the run ends as the straight one: same weights, same log_history.
 */
class SigtermSaveTest {
    @TempDir
    Path temp;

    @Test
    void aSigtermedRunSavesItsCurrentStepExitsRetriablyAndResumesExactly() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        ToyRun.Result straight = ToyRun.run(temp.resolve("straight"), tokenizer, ToyRun.spec(), null);

        Path output = temp.resolve("stopped");
        Path log = temp.resolve("child.log");
        Process child = ChildJvm.start(log, "train-until-sigterm", output.toString(), tokenizer.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (child.isAlive() && !Files.readString(log).contains("STEP 2") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(child.isAlive(), "the child ended before the signal: " + Files.readString(log));
            child.destroy(); // SIGTERM on Linux
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not exit after SIGTERM: " + Files.readString(log));
        } finally {
            child.destroyForcibly();
        }
        String childLog = Files.readString(log);
        assertEquals(143, child.exitValue(), "128 + SIGTERM, retried by the Job: " + childLog);
        Matcher stopped = Pattern.compile("STOPPED AT (\\d+) checkpoint-(\\d+)").matcher(childLog);
        assertTrue(stopped.find(), childLog);
        long step = Long.parseLong(stopped.group(1));
        assertEquals(stopped.group(1), stopped.group(2));
        assertTrue(step >= 2 && step < 12, "stopped at step " + step);
        // The step the signal interrupted was finished and saved, not the last regular checkpoint.
        assertEquals(Optional.of(output.resolve("checkpoint-" + step)), CheckpointReader.latest(output), childLog);
        assertFalse(childLog.contains("STEP " + (step + 1)), "no step after the stop: " + childLog);
        assertFalse(Files.exists(output.resolve("final")));

        ToyRun.Result resumed = ToyRun.run(output, tokenizer, ToyRun.spec(), null);
        assertTrue(resumed.resumed());
        assertEquals(12, resumed.state().globalStep);
        for (Map.Entry<String, float[]> e : straight.weights().entrySet()) {
            float[] a = e.getValue();
            float[] b = resumed.weights().get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                assertTrue(Math.abs(a[i] - b[i]) <= 1e-6, e.getKey() + "[" + i + "]: " + a[i] + " vs " + b[i]);
            }
        }
        assertEquals(ResumeExactnessTest.losses(straight.state().logHistory),
                ResumeExactnessTest.losses(resumed.state().logHistory));
    }
}
