package dev.finetune.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link ChildTrainer} in a new JVM with the test classpath, its output in a log file. */
final class ChildJvm {
    private ChildJvm() {}

    static Process start(Path log, String... args) throws IOException {
        // Surefire keeps the real test classpath here; a plain JVM has it in java.class.path.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        command.add(classpath);
        command.add(ChildTrainer.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
