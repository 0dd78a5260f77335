package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The bar as a terminal of 80, 120 and 40 columns shows it, and the plain lines a log file gets instead. */
class TrainingProgressBarTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(screen, true, StandardCharsets.UTF_8);

    private TrainingProgressBar bar(boolean terminal, int columns, long total, long start) {
        return new TrainingProgressBar(stream, terminal, columns, true, nanos::get, total, start);
    }

    /** Steps 1..n at 0.25 s each (4 steps/s), epoch and loss as the loop reports them. */
    private void train(TrainingProgressBar bar, long from, long to, long total) {
        for (long step = from; step <= to; step++) {
            nanos.addAndGet(250_000_000L);
            bar.update(step, 3.0 * step / total, 0.6156);
        }
    }

    /** What the terminal shows on the bar's line: the text after its last carriage return, escapes removed. */
    private String shownLine() {
        String text = screen.toString(StandardCharsets.UTF_8);
        String line = text.substring(text.lastIndexOf('\r') + 1);
        return line.replace("\033[K", "").replace("\n", "");
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {80, 120, 40})
    void theStepTheEpochAndTheLossFitTheTerminal(int columns) {
        TrainingProgressBar bar = bar(true, columns, 114, 0);
        train(bar, 1, 51, 114);

        String line = shownLine();
        assertTrue(line.length() <= columns - 1, line.length() + " > " + (columns - 1) + ": " + line);
        assertTrue(line.startsWith(" 44%"), line);
        assertTrue(line.contains(" 51/114"), line);
        assertTrue(line.contains("epoch 1.34, loss 0.6156"), line);
        if (columns >= 80) {
            String cells = line.substring(line.indexOf('|') + 1, line.lastIndexOf('|'));
            assertTrue(cells.length() >= TrainingProgressBar.MIN_BAR, "a bar of " + cells.length() + ": " + line);
            assertTrue(line.contains("[00:12<00:15, 4.00 steps/s, epoch 1.34, loss 0.6156]"), line);
            // 51 of 114 of the cells are filled, within the one partly filled cell
            long full = cells.chars().filter(c -> c == '█').count();
            assertEquals(cells.length() * 51 / 114, full, line);
        } else {
            assertFalse(line.contains("|"), "no room for a bar: " + line);
        }
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {80, 120, 40})
    void aSlowRunShowsSecondsPerStepAsTqdmDoes(int columns) {
        TrainingProgressBar bar = bar(true, columns, 10, 0);
        nanos.addAndGet(2_000_000_000L);
        bar.update(1, 0.1, 0.7);
        String line = bar.line(120);
        assertTrue(line.contains("2.00s/step"), line);
        assertTrue(shownLine().length() <= columns - 1, shownLine());
        assertEquals("2.00 steps/s", TrainingProgressBar.rate(2));
        assertEquals("2.00s/step", TrainingProgressBar.rate(0.5));
        assertEquals("1.00 steps/s", TrainingProgressBar.rate(1));
        assertEquals("? steps/s", TrainingProgressBar.rate(0));
        assertFalse(TrainingProgressBar.rate(0.5).startsWith("."));
        assertEquals("1:02:03", TrainingProgressBar.clock(3723));
        assertEquals("00:59", TrainingProgressBar.clock(59.9));
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {80, 120, 40})
    void theRerunOfAFinishedJobEndsTheBarsLineBeforeTheSummary(int columns) {
        // stdout and stderr on one terminal: the summary is printed on stdout right after the bar closes
        try (TrainingProgressBar bar = bar(true, columns, 114, 114)) {
            nanos.addAndGet(1_000_000L);
        }
        stream.println("{'train_runtime': 0.0012, 'epoch': 3.0}");

        List<String> lines = Arrays.asList(screen.toString(StandardCharsets.UTF_8).split("\n"));
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("{'train_runtime': 0.0012, 'epoch': 3.0}", lines.get(1));
        String barLine = lines.get(0).substring(lines.get(0).lastIndexOf('\r') + 1).replace("\033[K", "");
        assertTrue(barLine.startsWith("100%") && barLine.contains("114/114"), barLine);
        assertTrue(barLine.length() <= columns - 1, barLine);
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {80, 120, 40})
    void logLinesPrintedDuringTrainingDoNotRunIntoTheBar(int columns) {
        TrainingProgressBar bar = bar(true, columns, 114, 0);
        train(bar, 1, 38, 114);
        bar.println(stream, "{'loss': 0.6368, 'epoch': 1.0}");
        train(bar, 39, 114, 114);
        bar.close();

        String text = screen.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\r\033[K{'loss': 0.6368, 'epoch': 1.0}\n"), "the bar's line is cleared first: " + text);
        assertTrue(text.endsWith("\033[K\n"), "ends the bar's line");
    }

    @Test
    void withoutATerminalItWritesPlainLinesAtEachTenthAndNoEscapes() {
        TrainingProgressBar bar = bar(false, 0, 114, 0);
        train(bar, 1, 114, 114);
        bar.println(stream, "{'train_runtime': 28.5}");
        bar.close();

        String text = screen.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r") || text.contains("\033"), text);
        List<String> lines = text.lines().toList();
        assertEquals(11, lines.size(), text); // 10%, 20%, ..., 100%, the summary
        assertEquals(" 10% 12/114 [00:03<00:25, 4.00 steps/s, epoch 0.32, loss 0.6156]", lines.get(0));
        assertEquals("100% 114/114 [00:28<00:00, 4.00 steps/s, epoch 3.00, loss 0.6156]", lines.get(9));
    }

    @Test
    void aResumedRunCountsItsRateFromItsOwnSteps() {
        TrainingProgressBar bar = bar(false, 0, 100, 50);
        train(bar, 51, 100, 100);
        bar.close();
        String text = screen.toString(StandardCharsets.UTF_8);
        assertTrue(text.lines().findFirst().orElseThrow().startsWith(" 60% 60/100 [00:02<00:10, 4.00 steps/s"), text);
        assertEquals(5, text.lines().count(), text);
    }

    @Test
    void terminalsAreTheTerminalDevices() {
        assertTrue(Console.isTerminalDevice("/dev/pts/3"));
        assertTrue(Console.isTerminalDevice("/dev/tty1"));
        assertFalse(Console.isTerminalDevice("/home/you/train.log"));
        assertFalse(Console.isTerminalDevice("pipe:[123456]"));
        assertFalse(Console.isTerminalDevice(null));
        // surefire gives the forked test JVM a pipe or a file as stderr
        assertFalse(Console.STDERR.isTerminal());
    }
}
