package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checked-in file that a test generates: checked against the generator's output, or rewritten with it
 * when the tests run with -Dfinetune.regenerate=true.
 */
final class GeneratedFile {
    static final boolean REGENERATING = Boolean.getBoolean("finetune.regenerate");

    private GeneratedFile() {}

    /** Fails, naming the first differing line and the command that fixes it, unless file holds expected. */
    static void checkOrWrite(Path file, String expected, String regenerate) throws IOException {
        if (REGENERATING) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, expected);
            return;
        }
        assertTrue(Files.isRegularFile(file), file + " is missing; regenerate it: " + regenerate);
        String actual = Files.readString(file);
        assertTrue(expected.equals(actual),
                () -> file + " is stale (" + firstDifference(expected, actual) + "); regenerate it: " + regenerate);
    }

    /** The first line where two texts differ, so that a stale file's message stays short. */
    static String firstDifference(String expected, String actual) {
        String[] want = expected.split("\n", -1);
        String[] have = actual.split("\n", -1);
        for (int i = 0; i < Math.max(want.length, have.length); i++) {
            String w = i < want.length ? want[i] : "<end of file>";
            String h = i < have.length ? have[i] : "<end of file>";
            if (!w.equals(h)) {
                return "line " + (i + 1) + ": expected [" + w + "] but found [" + h + "]";
            }
        }
        return "no difference";
    }
}
