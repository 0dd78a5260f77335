package dev.finetune.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: the operator, the in-pod trainer, and local runs share this jar. */
@Command(
        name = "finetune",
        mixinStandardHelpOptions = true,
        version = "finetune-operator 0.1.0",
        description = "Declarative fine-tuning: a Kubernetes operator and its DJL trainer.",
        subcommands = {OperatorCommand.class, TrainCommand.class, RunCommand.class, PredictCommand.class})
public final class Main {
    public static void main(String[] args) {
        // The PyTorch natives ship inside the jar: never let DJL try to download an engine at run time.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }
}
