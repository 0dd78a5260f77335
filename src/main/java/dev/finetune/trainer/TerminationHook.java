package dev.finetune.trainer;

import dev.finetune.trainer.train.StopRequest;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (and SIGINT, SIGHUP) saves instead of losing up to saveSteps of work. The JVM turns those signals into
 * its shutdown, which runs this hook: it asks the loop to stop after its current step ({@link StopRequest}) and, when
 * a loop or a final save is under way, keeps the JVM alive until the caller {@linkplain #close() says it is done}
 * (checkpoint written, report written), at most {@code bound}: past the pod's grace period the kubelet SIGKILLs
 * anyway. Outside such work (downloading, tokenising) there is nothing to save and the JVM exits at once. The exit
 * code is then the JVM's own, 128 + the signal (143 for SIGTERM): not 0, not 2, so the Job retries and the retry
 * resumes from the checkpoint.
 */
public final class TerminationHook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TerminationHook.class);

    private final StopRequest stop;
    private final Duration bound;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;

    private TerminationHook(StopRequest stop, Duration bound) {
        this.stop = stop;
        this.bound = bound;
        this.thread = new Thread(this::onShutdown, "termination-hook");
    }

    /** Installs the hook for {@code stop}; close it when the run and its report are done. */
    public static TerminationHook install(StopRequest stop, Duration bound) {
        TerminationHook hook = new TerminationHook(stop, bound);
        Runtime.getRuntime().addShutdownHook(hook.thread);
        return hook;
    }

    private void onShutdown() {
        stop.request();
        if (!stop.isHeld()) {
            return;
        }
        LOG.warn("Received a termination signal: finishing the current step and saving a checkpoint (waiting up to {} s)",
                bound.toSeconds());
        try {
            if (!done.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("The checkpoint was not saved within {} s; exiting without it", bound.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running (or ran): it returns now that done is counted down.
        }
    }
}
