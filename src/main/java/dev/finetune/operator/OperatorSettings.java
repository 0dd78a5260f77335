package dev.finetune.operator;

import java.time.Duration;
import java.util.Set;

/**
 * How this operator runs: taken from flags or the environment by the `operator` subcommand, and built
 * directly by tests.
 *
 * @param defaultImage trainer image for jobs whose spec.image is empty
 * @param progressInterval how often a running trainer's /progress is read
 * @param trainerPort port of the trainer's /progress, /metrics and /healthz (8080 in the pod; tests
 *     point it at a local server)
 * @param namespaces namespaces to watch; empty watches all
 */
public record OperatorSettings(String defaultImage, Duration progressInterval, int trainerPort, Set<String> namespaces) {
    public static final String DEFAULT_IMAGE = "ghcr.io/finetune-dev/finetune-operator:0.1.0";
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(15);
    public static final int TRAINER_PORT = 8080;

    public OperatorSettings {
        if (defaultImage == null || defaultImage.isBlank()) {
            throw new IllegalArgumentException("the default trainer image must not be empty");
        }
        if (progressInterval == null || progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("the progress interval must be > 0, got " + progressInterval);
        }
        namespaces = Set.copyOf(namespaces);
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(DEFAULT_IMAGE, DEFAULT_PROGRESS_INTERVAL, TRAINER_PORT, Set.of());
    }
}
