package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.packaging.RenderedChart;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The operator reads exactly the environment the Helm chart's Deployment (and so deploy/) gives it. */
class OperatorEnvironmentTest {
    @Test
    void twoReplicasFromTheChartRunWithLeaderElectionAndTheChartsSettings() {
        RenderedChart chart = RenderedChart.withValues("replicaCount: 2\nprogressInterval: 30s\nwatchNamespaces: [team-a, team-b]\n");
        OperatorCommand command = parse(chartEnvironment(chart));
        assertTrue(command.leaderElection, "replicas > 1 turn leader election on");
        assertEquals("finetune-system", command.leaseNamespace);
        assertEquals(Duration.ofSeconds(30), command.progressInterval);
        assertEquals("team-a,team-b", command.namespaces);
        assertEquals(chartEnvironment(chart).get("FINETUNE_TRAINER_IMAGE"), command.trainerImage);
    }

    @Test
    void everyFinetuneVariableTheChartSetsIsReadAndEveryVariableReadIsSet() {
        Map<String, String> env = chartEnvironment(RenderedChart.withDefaults());
        Set<String> set = new HashSet<>(env.keySet());
        set.removeIf(name -> !name.startsWith("FINETUNE_")); // POD_NAMESPACE, JAVA_TOOL_OPTIONS: not settings
        Set<String> read = new HashSet<>(OperatorEnvironment.VARIABLES.values());
        read.remove("FINETUNE_HTTP_PORT"); // the chart keeps the default port 8081
        assertEquals(read, set);
        OperatorCommand command = parse(env);
        assertFalse(command.leaderElection, "one replica needs no election");
        assertEquals(8081, command.httpPort);
    }

    @Test
    void flagsWinOverTheEnvironmentAndTheLeaseFallsBackToThePodsNamespace() {
        OperatorCommand command = parse(Map.of("FINETUNE_PROGRESS_INTERVAL", "1m", "POD_NAMESPACE", "ops"), "--progress-interval", "500ms");
        assertEquals(Duration.ofMillis(500), command.progressInterval);
        assertEquals("ops", command.leaseNamespace);
        assertEquals(Duration.ofSeconds(15), parse(Map.of()).progressInterval);
        assertEquals(Duration.ofSeconds(20), parse(Map.of("FINETUNE_PROGRESS_INTERVAL", "PT20S")).progressInterval);
        var error = assertThrows(CommandLine.ParameterException.class, () -> parse(Map.of("FINETUNE_PROGRESS_INTERVAL", "soon")));
        assertTrue(error.getMessage().contains("'soon' is not a duration"), error.getMessage());
    }

    private static OperatorCommand parse(Map<String, String> environment, String... args) {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).setDefaultValueProvider(new OperatorEnvironment(environment)).parseArgs(args);
        return command;
    }

    /** The literal env values of the operator container (valueFrom ones resolved as the downward API would). */
    private static Map<String, String> chartEnvironment(RenderedChart chart) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : chart.single("Deployment").at("/spec/template/spec/containers/0/env")) {
            String name = var.path("name").asText();
            if (var.has("value")) {
                env.put(name, var.path("value").asText());
            } else if (var.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.namespace")) {
                env.put(name, "finetune-system");
            }
        }
        return env;
    }
}
