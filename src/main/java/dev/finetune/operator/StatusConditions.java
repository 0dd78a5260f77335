package dev.finetune.operator;

import dev.finetune.api.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Conditions in Strimzi's form: one per type; lastTransitionTime moves only when the status flips. */
public final class StatusConditions {
    public static final String CREATED = "Created";
    public static final String RUNNING = "Running";
    public static final String SUSPENDED = "Suspended";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String SPEC_CHANGE_REJECTED = "SpecChangeRejected";

    private StatusConditions() {}

    /** Sets the condition of this type, adding it when it is new. */
    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
            Long generation, Instant now) {
        String value = status ? "True" : "False";
        Condition condition = find(conditions, type).orElseGet(() -> {
            Condition added = new Condition();
            added.type = type;
            conditions.add(added);
            return added;
        });
        if (!value.equals(condition.status)) {
            condition.lastTransitionTime = now.toString();
        }
        condition.status = value;
        condition.reason = reason;
        condition.message = message;
        condition.observedGeneration = generation;
    }

    /** Marks a condition False if present; a condition that never held is not added. */
    public static void clear(List<Condition> conditions, String type, String reason, Long generation, Instant now) {
        find(conditions, type).ifPresent(c -> set(conditions, type, false, reason, null, generation, now));
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.type)).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.status)).orElse(false);
    }
}
