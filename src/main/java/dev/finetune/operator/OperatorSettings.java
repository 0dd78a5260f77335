package dev.finetune.operator;

import dev.finetune.api.PodSettings;
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
 * @param podDefaults pod settings of every job, under the job's own spec.pod (the chart's trainer.podDefaults)
 * @param progressUnavailableAfter how long a running trainer's /progress may fail before the ProgressUnavailable
 *     condition says so (by default 3 progress intervals, at least 30 s; tests use less)
 */
public record OperatorSettings(String defaultImage, Duration progressInterval, int trainerPort, Set<String> namespaces,
        PodSettings podDefaults, Duration progressUnavailableAfter) {
    public static final String DEFAULT_IMAGE = "ghcr.io/finetune-dev/finetune-trainer:0.1.0-cu128";
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
        podDefaults = podDefaults == null ? new PodSettings() : podDefaults;
        if (progressUnavailableAfter == null || progressUnavailableAfter.isNegative() || progressUnavailableAfter.isZero()) {
            throw new IllegalArgumentException("progressUnavailableAfter must be > 0, got " + progressUnavailableAfter);
        }
    }

    public OperatorSettings(String defaultImage, Duration progressInterval, int trainerPort, Set<String> namespaces,
            PodSettings podDefaults) {
        this(defaultImage, progressInterval, trainerPort, namespaces, podDefaults, unavailableAfter(progressInterval));
    }

    public OperatorSettings(String defaultImage, Duration progressInterval, int trainerPort, Set<String> namespaces) {
        this(defaultImage, progressInterval, trainerPort, namespaces, new PodSettings());
    }

    /** A few missed reads are normal (a trainer saving a checkpoint, a pod starting up): 3 intervals, at least 30 s. */
    static Duration unavailableAfter(Duration progressInterval) {
        Duration three = progressInterval == null ? Duration.ZERO : progressInterval.multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(30)) > 0 ? three : Duration.ofSeconds(30);
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(DEFAULT_IMAGE, DEFAULT_PROGRESS_INTERVAL, TRAINER_PORT, Set.of());
    }

    /**
     * The chart's trainer.podDefaults (JSON), checked as a job's spec.pod is, so that a bad default stops the
     * operator at start-up instead of failing every job.
     */
    public static PodSettings podDefaults(String json) {
        PodSettings defaults;
        try {
            defaults = json == null || json.isBlank() ? new PodSettings()
                    : new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, PodSettings.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("trainer.podDefaults (FINETUNE_TRAINER_POD_DEFAULTS) is not a valid spec.pod: "
                    + e.getOriginalMessage());
        }
        java.util.List<String> errors = new java.util.ArrayList<>();
        PodSettingsValidator.check(defaults == null ? new PodSettings() : defaults, "trainer.podDefaults", errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return defaults;
    }
}
