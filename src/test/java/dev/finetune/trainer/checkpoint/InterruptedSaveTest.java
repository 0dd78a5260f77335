package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save interrupted at any point never leaves a checkpoint that a resume would choose but cannot use. */
class InterruptedSaveTest {
    @TempDir
    Path temp;

    /** Stands for SIGKILL inside the process: an Error, which the writer does not catch, so nothing is cleaned up. */
    private static final class SimulatedCrash extends Error {
        SimulatedCrash(String message) {
            super(message);
        }
    }

    /** Crashes at the k-th point reached; a file just written is first cut short, as a write torn by a kill. */
    private static SaveInterruption crashAt(int k, Random random) {
        int[] reached = {0};
        return (point, path) -> {
            if (reached[0]++ != k) {
                return;
            }
            if (point.equals("wrote")) {
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    channel.truncate(random.nextInt((int) Math.max(1, channel.size())));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
            throw new SimulatedCrash(point + " " + path);
        };
    }

    @Test
    void aSaveCrashedAtAnyPointLeavesTheOldOrTheNewCheckpointNeverABrokenOne() throws Exception {
        Random random = new Random(3);
        int crashes = 0;
        for (int k = 0; ; k++) {
            Path output = temp.resolve("k" + k);
            SaveLoop.run(output, 1);
            boolean crashed = false;
            try {
                SaveLoop.run(output, 2, crashAt(k, random));
            } catch (SimulatedCrash e) {
                crashed = true;
                crashes++;
            }
            Optional<Path> latest = CheckpointReader.latest(output);
            assertTrue(latest.isPresent(), "k=" + k);
            long step = CheckpointLayout.stepOf(latest.get()).getAsLong();
            assertTrue(step == 1 || step == 2, "k=" + k + ": " + latest);
            for (Path checkpoint : CheckpointReader.completeCheckpoints(output)) {
                SaveLoop.verify(checkpoint);
            }
            CheckpointReader.removeTemporaryFolders(output);
            assertEquals(List.of(), temporaryFolders(output), "k=" + k);
            // The next run continues after whatever survived.
            SaveLoop.run(output, 3);
            SaveLoop.verify(CheckpointReader.latest(output).orElseThrow());
            if (!crashed) {
                break; // k went past the last point of a save
            }
        }
        // model.safetensors, optimizer, 4 JSON files written; 7 files and the folder synced; renamed; parent synced.
        assertTrue(crashes >= 15, "crash points tried: " + crashes);
    }

    @Test
    void aChildKilledAtRandomMomentsWhileSavingLeavesOnlyUsableCheckpoints() throws Exception {
        Path output = temp.resolve("output");
        Random random = new Random();
        long previous = 0;
        int killedMidSave = 0;
        for (int round = 0; round < 3; round++) {
            Path log = temp.resolve("child-" + round + ".log");
            Process child = ChildJvm.start(log, "save-loop", output.toString());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                long step = previous;
                while (step <= previous && child.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    step = newestStepName(output);
                }
                assertTrue(child.isAlive(), Files.readString(log));
                Thread.sleep(random.nextInt(60)); // then somewhere in a later save, or between two
            } finally {
                child.destroyForcibly(); // SIGKILL; also when an assertion failed, so that no child outlives the test
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            if (!temporaryFolders(output).isEmpty()) {
                killedMidSave++;
            }
            Optional<Path> latest = CheckpointReader.latest(output);
            assertTrue(latest.isPresent(), "round " + round);
            for (Path checkpoint : CheckpointReader.completeCheckpoints(output)) {
                SaveLoop.verify(checkpoint);
            }
            long chosen = CheckpointLayout.stepOf(latest.get()).getAsLong();
            assertTrue(chosen >= previous, chosen + " < " + previous);
            previous = chosen;
        }
        System.out.println("killed in the middle of a save (a tmp- folder left) in " + killedMidSave + " of 3 rounds");
    }

    private static long newestStepName(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(output)) {
            return list.mapToLong(p -> CheckpointLayout.stepOf(p).orElse(0)).max().orElse(0);
        }
    }

    private static List<Path> temporaryFolders(Path output) throws IOException {
        try (Stream<Path> list = Files.list(output)) {
            return list.filter(CheckpointLayout::isTemporary).toList();
        }
    }
}
