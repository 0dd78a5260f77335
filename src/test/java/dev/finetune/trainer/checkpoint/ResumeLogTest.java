package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a resume loads weights and optimizer moments without libtorch's five-line
 * "AutoNonVariableTypeMode is deprecated" warning. Native code writes it to fd 2, which only a child JVM's log shows.
 */
class ResumeLogTest {
    @TempDir
    Path temp;

    @Test
    void aResumeLogsNoLibtorchDeprecationWarning() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        Path output = temp.resolve("run");
        String first = runChild(output, tokenizer, temp.resolve("first.log"));
        String second = runChild(output, tokenizer, temp.resolve("second.log"));
        assertTrue(second.contains("Resuming training from checkpoint"), "the second run resumes: " + second);
        assertFalse(second.contains("AutoNonVariableTypeMode"), second);
        assertFalse(first.contains("AutoNonVariableTypeMode"), first);
    }

    private static String runChild(Path output, Path tokenizer, Path log) throws Exception {
        Process child = ChildJvm.start(log, "train", output.toString(), tokenizer.toString(), String.valueOf(Long.MAX_VALUE));
        try {
            assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the child did not finish: " + Files.readString(log));
        } finally {
            child.destroyForcibly();
        }
        String text = Files.readString(log);
        assertEquals(0, child.exitValue(), text);
        return text;
    }
}
