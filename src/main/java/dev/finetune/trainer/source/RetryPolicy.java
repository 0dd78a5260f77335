package dev.finetune.trainer.source;

import java.time.Duration;

/**
 * How often and how patiently a transient failure (connect error, 5xx, 429, cut connection) is retried:
 * exponential backoff from {@code initialDelay}, doubling up to {@code maxDelay}. A download that receives
 * no byte for {@code stallTimeout} is dropped and resumed like a cut connection.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration stallTimeout) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    /** Five attempts over about half a minute: rides out a restarting proxy or a brief Hub hiccup. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** The wait before attempt {@code attempt + 1}, for a failed attempt numbered from 1. */
    Duration delayAfter(int attempt) {
        long millis = initialDelay.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }
}
