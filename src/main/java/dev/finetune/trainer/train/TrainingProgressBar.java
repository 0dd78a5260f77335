package dev.finetune.trainer.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The step / total bar on stderr as tqdm draws the Hugging Face Trainer's, fitted to the terminal's width:
 * {@code  45%|████▌     | 51/114 [00:03<00:04, 14.62 steps/s, epoch 1.34, loss 0.6156]}. A narrow terminal loses the
 * bar first, then the times; the step and the loss stay. Where stderr is no terminal (a log file, a pipe) nothing is
 * written with {@code \r} or escape codes: the same numbers as a plain line at every tenth of the run, as tqdm with
 * {@code ncols=0}.
 */
final class TrainingProgressBar implements AutoCloseable {
    /** Below this many cells a bar says nothing: the numbers get the room. */
    static final int MIN_BAR = 8;
    private static final long REDRAW_NANOS = 100_000_000L; // tqdm's mininterval
    private static final String CLEAR_LINE = "\r\033[K";
    private static final String EIGHTHS = " ▏▎▍▌▋▊▉█";

    private final PrintStream err;
    private final boolean terminal;
    private final int columns;
    private final boolean unicode;
    private final LongSupplier nanoClock;
    private final long total;
    private final long startStep;
    private final long startNanos;
    private long step;
    private double epoch = Double.NaN;
    private double loss = Double.NaN;
    private long lastDrawNanos;
    private long lastLoggedStep = -1;

    /** @param err where the bar goes, null for no bar */
    TrainingProgressBar(PrintStream err, boolean terminal, int columns, boolean unicode, LongSupplier nanoClock,
            long total, long startStep) {
        this.err = err;
        this.terminal = terminal;
        this.columns = columns;
        this.unicode = unicode;
        this.nanoClock = nanoClock;
        this.total = total;
        this.startStep = startStep;
        this.step = startStep;
        this.startNanos = nanoClock.getAsLong();
        if (err != null && terminal) {
            draw();
        }
    }

    /** The bar on System.err, drawn as this process's stderr allows ({@link Console}); a no-op when not wanted. */
    static TrainingProgressBar create(boolean wanted, long totalSteps, long startStep) {
        if (!wanted) {
            return new TrainingProgressBar(null, false, 0, false, System::nanoTime, totalSteps, startStep);
        }
        boolean terminal = Console.STDERR.isTerminal();
        return new TrainingProgressBar(System.err, terminal, terminal ? Console.STDERR.columns() : 0,
                Console.isUtf8(), System::nanoTime, totalSteps, startStep);
    }

    void update(long step, double epoch, double lastLoss) {
        this.step = step;
        this.epoch = epoch;
        this.loss = lastLoss;
        if (err == null) {
            return;
        }
        if (terminal) {
            if (nanoClock.getAsLong() - lastDrawNanos >= REDRAW_NANOS || step >= total) {
                draw();
            }
        } else if (tenth(step) > tenth(Math.max(lastLoggedStep, startStep)) || step >= total) {
            logLine();
        }
    }

    /** Prints a log line so that it does not run into the bar (as tqdm.write): clears the bar's line first. */
    void println(PrintStream out, String line) {
        boolean clear = err != null && terminal;
        if (clear) {
            err.print(CLEAR_LINE);
            err.flush();
        }
        out.println(line);
        out.flush();
        if (clear) {
            draw();
        }
    }

    /** Leaves the bar's last state on its own line, so what is printed next (the summary) starts on a fresh one. */
    @Override
    public void close() {
        if (err == null) {
            return;
        }
        if (terminal) {
            draw();
            err.println();
            err.flush();
        } else if (lastLoggedStep != step) {
            logLine();
        }
    }

    private long tenth(long s) {
        return total <= 0 ? 0 : s * 10 / total;
    }

    private void draw() {
        lastDrawNanos = nanoClock.getAsLong();
        err.print("\r" + line(columns) + "\033[K");
        err.flush();
    }

    private void logLine() {
        lastLoggedStep = step;
        err.println(line(Integer.MAX_VALUE)); // unlimited width: the numbers without a bar
        err.flush();
    }

    /** The bar's text for {@code width} columns: at most width - 1 characters (the last column would wrap the line). */
    String line(int width) {
        int room = Math.max(1, width - 1);
        double elapsed = (nanoClock.getAsLong() - startNanos) / 1e9;
        long ran = step - startStep;
        double rate = elapsed > 0 && ran > 0 ? ran / elapsed : 0;
        String percent = String.format(Locale.ROOT, "%3d%%", total <= 0 ? 100 : step * 100 / total);
        String count = step + "/" + total;
        String remaining = rate > 0 ? clock((total - step) / rate) : "?";
        String postfix = (Double.isNaN(epoch) ? "" : String.format(Locale.ROOT, ", epoch %.2f", epoch))
                + (Double.isNaN(loss) ? "" : String.format(Locale.ROOT, ", loss %.4f", loss));
        String stats = " " + count + " [" + clock(elapsed) + "<" + remaining + ", " + rate(rate) + postfix + "]";

        int barWidth = room - percent.length() - 2 - stats.length();
        if (width != Integer.MAX_VALUE && barWidth >= MIN_BAR) {
            return percent + "|" + bar(barWidth) + "|" + stats;
        }
        String noBar = percent + stats;
        if (noBar.length() <= room) {
            return noBar;
        }
        String numbers = percent + " " + count + postfix;
        return numbers.length() <= room ? numbers : numbers.substring(0, room);
    }

    private String bar(int width) {
        double done = total <= 0 ? 1 : Math.min(1.0, (double) step / total);
        int eighths = (int) (done * width * 8);
        StringBuilder b = new StringBuilder(width);
        if (unicode) {
            b.append("█".repeat(eighths / 8));
            if (eighths / 8 < width) {
                b.append(EIGHTHS.charAt(eighths % 8));
            }
        } else {
            b.append("#".repeat(eighths / 8));
        }
        while (b.length() < width) {
            b.append(' ');
        }
        return b.toString();
    }

    /** tqdm's rate: steps per second from 1 up, seconds per step below (never ".5 steps/s"). */
    static String rate(double stepsPerSecond) {
        if (stepsPerSecond <= 0 || Double.isNaN(stepsPerSecond) || Double.isInfinite(stepsPerSecond)) {
            return "? steps/s";
        }
        return stepsPerSecond >= 1 ? String.format(Locale.ROOT, "%.2f steps/s", stepsPerSecond)
                : String.format(Locale.ROOT, "%.2fs/step", 1 / stepsPerSecond);
    }

    /** tqdm's format_interval: mm:ss, or h:mm:ss from an hour up. */
    static String clock(double seconds) {
        long s = (long) seconds;
        long h = s / 3600;
        long m = s / 60 % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", m, s % 60);
    }
}
