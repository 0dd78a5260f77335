package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OperatorCommandTest {
    @Test
    void operatorIsASubcommandWithItsFlags() {
        CommandLine cli = Main.commandLine();
        assertTrue(cli.getSubcommands().containsKey("operator"));
        StringWriter help = new StringWriter();
        cli.setOut(new PrintWriter(help));
        assertEquals(0, cli.execute("operator", "--help"));
        for (String flag : new String[] {"--namespaces", "--trainer-image", "--progress-interval", "--http-port", "--leader-election"}) {
            assertTrue(help.toString().contains(flag), help.toString());
        }
    }

    @Test
    void flagsParseIntoSettings() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--namespaces", "ml, research", "--progress-interval", "PT30S", "--trainer-image", "registry/t:1");
        assertEquals("ml, research", command.namespaces);
        assertEquals(Duration.ofSeconds(30), command.progressInterval);
        assertEquals("registry/t:1", command.trainerImage);
    }
}
