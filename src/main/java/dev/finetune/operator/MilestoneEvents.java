package dev.finetune.operator;

import dev.finetune.api.Condition;
import dev.finetune.api.FineTuneJobStatus;
import dev.finetune.api.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The Kubernetes Events a status change is worth: created, started, checkpoint, evaluated, retried, ... */
public final class MilestoneEvents {
    /** One Event: type Normal or Warning, a CamelCase reason and a sentence. */
    public record Milestone(String type, String reason, String message) {}

    private MilestoneEvents() {}

    public static List<Milestone> between(FineTuneJobStatus before, FineTuneJobStatus after) {
        FineTuneJobStatus old = before == null ? new FineTuneJobStatus() : before;
        List<Milestone> events = new ArrayList<>();
        if (old.jobName == null && after.jobName != null) {
            events.add(new Milestone("Normal", "Created", "created Job " + after.jobName));
        }
        int oldRestarts = old.restarts == null ? 0 : old.restarts;
        int newRestarts = after.restarts == null ? 0 : after.restarts;
        if (newRestarts > oldRestarts && after.phase != Phase.Failed) {
            events.add(new Milestone("Warning", "Retried",
                    "training pod failed; retry " + newRestarts + " resumes from the latest checkpoint"));
        }
        if (after.phase != old.phase) {
            switch (after.phase) {
                case Running -> events.add(new Milestone("Normal", "Started", "training pod is running"));
                case Suspended -> events.add(new Milestone("Normal", "Suspended", "job suspended"));
                case Succeeded -> events.add(new Milestone("Normal", "Succeeded", "training finished"
                        + (after.metrics != null && after.metrics.evalAccuracy != null ? ", eval accuracy " + after.metrics.evalAccuracy : "")));
                case Failed -> events.add(new Milestone("Warning", "Failed", failureMessage(after)));
                default -> { }
            }
        }
        String oldCheckpoint = old.checkpoints == null ? null : old.checkpoints.latest;
        String newCheckpoint = after.checkpoints == null ? null : after.checkpoints.latest;
        if (newCheckpoint != null && !newCheckpoint.equals(oldCheckpoint)) {
            events.add(new Milestone("Normal", "Checkpoint", "saved " + newCheckpoint));
        }
        if (after.metrics != null && (after.metrics.evalLoss != null || after.metrics.evalAccuracy != null)) {
            boolean changed = old.metrics == null
                    || !Objects.equals(old.metrics.evalLoss, after.metrics.evalLoss)
                    || !Objects.equals(old.metrics.evalAccuracy, after.metrics.evalAccuracy);
            if (changed) {
                events.add(new Milestone("Normal", "Evaluated", "eval loss " + after.metrics.evalLoss
                        + ", accuracy " + after.metrics.evalAccuracy + ", f1 " + after.metrics.evalF1));
            }
        }
        return events;
    }

    private static String failureMessage(FineTuneJobStatus status) {
        return StatusConditions.find(status.conditions, StatusConditions.FAILED)
                .map((Condition c) -> c.reason + ": " + c.message)
                .orElse("job failed");
    }
}
