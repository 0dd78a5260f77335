package dev.finetune.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** Builds the operator the same way for the `operator` command and for the tests. */
public final class OperatorBootstrap {
    private OperatorBootstrap() {}

    /**
     * The JOSDK operator with the FineTuneJob controller registered (not started).
     *
     * @param leaderElection null runs without leader election (one replica, or tests)
     */
    public static Operator create(KubernetesClient client, OperatorSettings settings, MeterRegistry registry,
            LeaderElectionConfiguration leaderElection) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    // Merge/JSON patches instead of server-side apply: what fabric8's mock server answers,
                    // and predictable with a real API server too.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withCloseClientOnStop(false)
                    // Per-controller meters only: per-resource meters would grow with every FineTuneJob ever seen.
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
            if (leaderElection != null) {
                o.withLeaderElectionConfiguration(leaderElection);
            }
        });
        var reconciler = new FineTuneJobReconciler(settings, TrainerProgressCache.forOperator(settings),
                new EventRecorder(client), new JobPhaseMetrics(registry));
        operator.register(reconciler, c -> {
            if (settings.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(settings.namespaces());
            }
        });
        return operator;
    }
}
