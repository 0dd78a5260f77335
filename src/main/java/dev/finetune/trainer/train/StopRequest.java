package dev.finetune.trainer.train;

/**
 * A request to stop training at the next step boundary, with a checkpoint: what a SIGTERM (Kueue preemption, a spot
 * reclaim, a drained node) or Ctrl-C asks for. The loop polls it after each optimiser step; the signal's handler
 * asks whether anything is {@linkplain #isHeld() held} (a loop or a final save that must not be cut) to know whether
 * it must wait before the JVM exits.
 */
public final class StopRequest {
    private volatile boolean requested;
    private int holds;

    public void request() {
        requested = true;
    }

    public boolean isRequested() {
        return requested;
    }

    /** Marks work that ends soon after a request and must not be cut short; close the hold when it ends. */
    public synchronized Hold hold() {
        holds++;
        return this::release;
    }

    public synchronized boolean isHeld() {
        return holds > 0;
    }

    private synchronized void release() {
        holds--;
    }

    /** A hold, closed once (try-with-resources). */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }
}
