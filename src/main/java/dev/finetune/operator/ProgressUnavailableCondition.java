package dev.finetune.operator;

import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The ProgressUnavailable condition: True while a running trainer's /progress has failed for longer than a
 * threshold (a NetworkPolicy, a service mesh or a hung trainer), with the last error, so that a status that
 * stopped moving says why; False again once a read succeeds or the trainer no longer runs.
 */
public final class ProgressUnavailableCondition {
    public static final String TYPE = "ProgressUnavailable";
    public static final String UNREACHABLE = "TrainerUnreachable";

    private ProgressUnavailableCondition() {}

    public static void apply(FineTuneJobStatus status, TrainerProgressCache.Reading reading, Duration threshold,
            Long generation, Instant now) {
        if (status.phase == Phase.Running && reading.failingFor(threshold, now)) {
            StatusConditions.set(status.conditions, TYPE, true, UNREACHABLE,
                    // Stable while the same error lasts: no status write per reconcile.
                    "cannot read the trainer's /progress since " + reading.failingSince().truncatedTo(ChronoUnit.SECONDS) + ": " + reading.error()
                            + " (the operator must reach port " + OperatorSettings.TRAINER_PORT
                            + " of the training pod; see the chart's networkPolicy.enabled)",
                    generation, now);
        } else if (status.phase != Phase.Running) {
            StatusConditions.clear(status.conditions, TYPE, "TrainerNotRunning", generation, now);
        } else if (reading.error() == null && reading.report().isPresent()) {
            StatusConditions.clear(status.conditions, TYPE, "TrainerReachable", generation, now);
        }
    }
}
