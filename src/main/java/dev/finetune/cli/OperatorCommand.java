package dev.finetune.cli;

import dev.finetune.operator.OperatorBootstrap;
import dev.finetune.operator.OperatorHttpServer;
import dev.finetune.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `operator`: the controller that turns FineTuneJobs into training pods. */
@Command(name = "operator", mixinStandardHelpOptions = true, defaultValueProvider = OperatorEnvironment.class,
        description = "Run the FineTuneJob controller against the cluster of the current kubeconfig or service account.")
public class OperatorCommand implements Callable<Integer> {
    @Option(names = "--namespaces", defaultValue = "",
            description = "Comma-separated namespaces to watch; empty watches all (env FINETUNE_WATCH_NAMESPACES).")
    String namespaces;

    @Option(names = "--trainer-image", defaultValue = OperatorSettings.DEFAULT_IMAGE,
            description = "Image of jobs whose spec.image is empty (env FINETUNE_TRAINER_IMAGE; default ${DEFAULT-VALUE}).")
    String trainerImage;

    @Option(names = "--trainer-pod-defaults", defaultValue = "{}",
            description = "Pod settings of every job as JSON, in the shape of spec.pod (env, envFrom, labels, annotations,"
                    + " imagePullSecrets, serviceAccountName, affinity); a job's own spec.pod wins (env FINETUNE_TRAINER_POD_DEFAULTS).")
    String trainerPodDefaults;

    @Option(names = "--progress-interval", defaultValue = "15s", converter = DurationConverter.class,
            description = "How often a running trainer's /progress is read: 500ms, 15s, 1m or PT15S (env FINETUNE_PROGRESS_INTERVAL; default ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(names = "--http-port", defaultValue = "8081",
            description = "Port of /healthz, /readyz and /metrics (env FINETUNE_HTTP_PORT; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--leader-election", defaultValue = "false", arity = "0..1",
            description = "Elect a leader among replicas through a Lease (env FINETUNE_LEADER_ELECTION).")
    boolean leaderElection;

    @Option(names = "--lease-namespace", defaultValue = "",
            description = "Namespace of the Lease (env FINETUNE_LEADER_ELECTION_NAMESPACE, else POD_NAMESPACE).")
    String leaseNamespace;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<String> noCluster = ClusterLocation.problem(System.getenv(), propertiesMap(),
                Path.of(System.getProperty("user.home")), ClusterLocation.SERVICE_ACCOUNT);
        if (noCluster.isPresent()) {
            spec.commandLine().getErr().println("error: " + noCluster.get());
            return ExitCodes.INVALID;
        }
        Set<String> watched = Arrays.stream(namespaces.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        OperatorSettings settings = new OperatorSettings(trainerImage, progressInterval, OperatorSettings.TRAINER_PORT, watched,
                OperatorSettings.podDefaults(trainerPodDefaults));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        LeaderElectionConfiguration election = !leaderElection ? null
                : leaseNamespace.isBlank() ? new LeaderElectionConfiguration("finetune-operator")
                : new LeaderElectionConfiguration("finetune-operator", leaseNamespace);
        var client = new KubernetesClientBuilder().build();
        Optional<String> down = ClusterConnection.unreachable(client.getConfiguration());
        if (down.isPresent()) {
            client.close();
            spec.commandLine().getErr().println("error: " + down.get());
            return ExitCodes.UNAVAILABLE;
        }
        Operator operator = OperatorBootstrap.create(client, settings, registry, election);
        try (OperatorHttpServer http = new OperatorHttpServer(httpPort, operator, registry)) {
            http.start();
            operator.installShutdownHook(Duration.ofSeconds(10));
            operator.start();
            new CountDownLatch(1).await();
        }
        return 0;
    }

    private static Map<String, String> propertiesMap() {
        Map<String, String> properties = new HashMap<>();
        System.getProperties().stringPropertyNames().forEach(name -> properties.put(name, System.getProperty(name)));
        return properties;
    }
}
