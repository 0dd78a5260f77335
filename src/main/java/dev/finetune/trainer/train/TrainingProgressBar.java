package dev.finetune.trainer.train;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** The step / total bar with epoch, loss and rate on stderr; a no-op when off or when stderr is no terminal. */
final class TrainingProgressBar implements AutoCloseable {
    private final ProgressBar bar;

    private TrainingProgressBar(ProgressBar bar) {
        this.bar = bar;
    }

    static TrainingProgressBar create(boolean wanted, long totalSteps, long startStep) {
        if (!wanted || System.console() == null) {
            return new TrainingProgressBar(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalSteps)
                .setUnit(" steps", 1)
                .showSpeed()
                .startsFrom(startStep, Duration.ZERO)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
        return new TrainingProgressBar(bar);
    }

    void update(long step, double epoch, double lastLoss) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %.2f, loss %.4f", epoch, lastLoss));
        }
    }

    /** Prints a log line so that it does not run into the bar (as tqdm.write): clears the bar's line first. */
    void println(java.io.PrintStream out, String line) {
        if (bar != null) {
            System.err.print("\r\033[K");
            System.err.flush();
        }
        out.println(line);
        out.flush();
        if (bar != null) {
            bar.refresh();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
