package dev.finetune.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The operator's flags from the environment the Helm chart and deploy/ set (FINETUNE_*), so that the
 * Deployment and the command share one list of names. A flag on the command line wins over its variable.
 */
public final class OperatorEnvironment implements IDefaultValueProvider {
    /** Flag -> environment variable; the chart's Deployment sets exactly these (OperatorEnvironmentTest). */
    static final Map<String, String> VARIABLES = Map.of(
            "--namespaces", "FINETUNE_WATCH_NAMESPACES",
            "--trainer-image", "FINETUNE_TRAINER_IMAGE",
            "--trainer-pod-defaults", "FINETUNE_TRAINER_POD_DEFAULTS",
            "--progress-interval", "FINETUNE_PROGRESS_INTERVAL",
            "--http-port", "FINETUNE_HTTP_PORT",
            "--leader-election", "FINETUNE_LEADER_ELECTION",
            "--lease-namespace", "FINETUNE_LEADER_ELECTION_NAMESPACE");
    /** Downward API: the operator's own namespace, where its Lease goes unless said otherwise. */
    static final String POD_NAMESPACE = "POD_NAMESPACE";

    private final Map<String, String> environment;

    public OperatorEnvironment() {
        this(System.getenv());
    }

    OperatorEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument instanceof OptionSpec option)) {
            return null;
        }
        String variable = VARIABLES.get(option.longestName());
        String value = variable == null ? null : environment.get(variable);
        if ((value == null || value.isBlank()) && "--lease-namespace".equals(option.longestName())) {
            value = environment.get(POD_NAMESPACE);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
