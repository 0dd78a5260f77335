package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @TempDir
    Path tmp;

    @Test
    void withoutAKubeconfigOutsideAPodItSaysNoClusterWasFoundAndHowToPointAtOne() {
        String problem = ClusterLocation.problem(Map.of(), Map.of(), tmp, tmp.resolve("sa")).orElseThrow();
        assertTrue(problem.startsWith("no cluster found: no kubeconfig"), problem);
        assertTrue(problem.contains("set KUBECONFIG"), problem);
    }

    @Test
    void aKubeconfigPointingNowhereIsNamed() {
        Path missing = tmp.resolve("nowhere.yaml");
        String problem = ClusterLocation.problem(Map.of("KUBECONFIG", missing.toString()), Map.of(), tmp, tmp.resolve("sa")).orElseThrow();
        assertTrue(problem.contains("KUBECONFIG is " + missing + ", but " + missing + " does not exist"), problem);
    }

    @Test
    void aKubeconfigAHomeConfigAMasterUrlOrAPodIsSomewhereToGo() throws IOException {
        Path config = Files.writeString(tmp.resolve("config.yaml"), "apiVersion: v1\n");
        assertTrue(ClusterLocation.problem(Map.of("KUBECONFIG", tmp.resolve("x") + ":" + config), Map.of(), tmp, tmp).isEmpty());
        assertTrue(ClusterLocation.problem(Map.of(), Map.of("kubernetes.master", "https://10.0.0.1"), tmp, tmp).isEmpty());
        Path sa = Files.createDirectories(tmp.resolve("sa"));
        Files.writeString(sa.resolve("token"), "t");
        assertTrue(ClusterLocation.problem(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), Map.of(), tmp, sa).isEmpty());
        Files.createDirectories(tmp.resolve(".kube"));
        Files.writeString(tmp.resolve(".kube").resolve("config"), "apiVersion: v1\n");
        assertTrue(ClusterLocation.problem(Map.of(), Map.of(), tmp, tmp.resolve("sa-absent")).isEmpty());
    }

    @Test
    void aClusterThatIsDownIsNamedByItsServerUrlInOneLineWithTheRetriableCode() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String server = "https://127.0.0.1:" + closedPort;
        Path kubeconfig = Files.writeString(tmp.resolve("down.yaml"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: down
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                users:
                - name: u
                  user:
                    token: t
                contexts:
                - name: down
                  context:
                    cluster: down
                    user: u
                current-context: down
                """.formatted(server));
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            long start = System.nanoTime();
            int code = cli.execute("operator", "--http-port", "0");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(75, code, err.toString());
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("error: cannot reach the Kubernetes API server at " + server), err.toString());
            assertTrue(millis < 5_000, "failed in " + millis + " ms");
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }

    @Test
    void theCommandFailsFastWithExitTwoAndOneLine() {
        Path missing = tmp.resolve("nowhere.yaml");
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", missing.toString());
        try {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            long start = System.nanoTime();
            int code = cli.execute("operator", "--http-port", "0");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(2, code, err.toString());
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().contains("no cluster found") && err.toString().contains(missing.toString()), err.toString());
            assertTrue(millis < 5_000, "failed in " + millis + " ms");
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }
}
