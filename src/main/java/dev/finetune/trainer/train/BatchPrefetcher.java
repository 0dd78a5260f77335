package dev.finetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds the next update's batches (collation, padding, the host-to-device copy) on one background thread
 * while the current step computes, so the device does not wait for the host between steps. Batches stay
 * pure functions of (epoch, index): prefetching changes when a batch is made, never what it holds. Every
 * call into the source runs on that one thread, so the source needs no thread safety.
 */
final class BatchPrefetcher implements AutoCloseable {
    private final TrainBatchSource source;
    private final NDManager parent;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "batch-prefetch");
        t.setDaemon(true);
        return t;
    });
    private Window pending;

    /** A window of batches made ahead, in a manager of its own until {@link #take} moves them. */
    private record Window(int epoch, int first, int count, NDManager manager, Future<List<Batch>> batches) {}

    BatchPrefetcher(TrainBatchSource source, NDManager parent) {
        this.source = source;
        this.parent = parent;
    }

    /** Starts making batches [first, first + count) of {@code epoch}; a window asked for earlier and not taken is dropped. */
    void prefetch(int epoch, int first, int count) {
        drop();
        NDManager manager = parent.newSubManager();
        Future<List<Batch>> batches = worker.submit(() -> make(epoch, first, count, manager));
        pending = new Window(epoch, first, count, manager, batches);
    }

    /** Batches [first, first + count) of {@code epoch}, moved into {@code into}: the prefetched ones if they match. */
    List<Batch> take(int epoch, int first, int count, NDManager into) {
        if (pending == null || pending.epoch() != epoch || pending.first() != first || pending.count() != count) {
            prefetch(epoch, first, count);
        }
        Window window = pending;
        pending = null;
        try (NDManager manager = window.manager()) {
            List<Batch> batches = await(window.batches());
            for (Batch b : batches) {
                for (NDArray a : new NDArray[] {b.inputIds(), b.tokenTypeIds(), b.attentionMask(), b.labels()}) {
                    if (a != null) {
                        a.attach(into);
                    }
                }
            }
            return batches;
        }
    }

    private List<Batch> make(int epoch, int first, int count, NDManager manager) {
        List<Batch> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batches.add(source.batch(epoch, first + i, manager));
        }
        return batches;
    }

    private static List<Batch> await(Future<List<Batch>> batches) {
        try {
            return batches.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void drop() {
        if (pending != null) {
            try {
                pending.batches().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // dropped anyway: its error shows again if the window is asked for
            }
            pending.manager().close();
            pending = null;
        }
    }

    @Override
    public void close() {
        drop();
        worker.shutdownNow();
    }
}
