package dev.finetune.trainer.train;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether one of this process's standard streams is a terminal, and how wide. Per stream: System.console() says
 * only that stdin and stdout are, so with {@code 2>train.log} it would send the bar's escape codes into the file.
 * On Linux the answer is where /proc/self/fd/N points; elsewhere it falls back to System.console().
 */
final class Console {
    static final Console STDERR = new Console(2);
    static final int DEFAULT_COLUMNS = 80;

    private final int fd;

    private Console(int fd) {
        this.fd = fd;
    }

    boolean isTerminal() {
        Path link = Path.of("/proc/self/fd/" + fd);
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
            return System.console() != null;
        }
        return isTerminalDevice(device(link));
    }

    /** A terminal device's path: a pseudo-terminal (/dev/pts/N) or a console (/dev/ttyN, /dev/console). */
    static boolean isTerminalDevice(String path) {
        return path != null && (path.startsWith("/dev/pts/") || path.startsWith("/dev/tty") || path.equals("/dev/console"));
    }

    /** The terminal's width: $COLUMNS where the shell exports it, else what `stty size` says of it, else 80. */
    int columns() {
        Integer fromEnv = positive(System.getenv("COLUMNS"));
        if (fromEnv != null) {
            return fromEnv;
        }
        String device = device(Path.of("/proc/self/fd/" + fd));
        if (!isTerminalDevice(device)) {
            return DEFAULT_COLUMNS;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(Path.of(device).toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(1, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return DEFAULT_COLUMNS;
            }
            String[] rowsAndColumns = new String(stty.getInputStream().readAllBytes(), Charset.defaultCharset()).trim().split("\\s+");
            Integer columns = rowsAndColumns.length == 2 ? positive(rowsAndColumns[1]) : null;
            return columns != null ? columns : DEFAULT_COLUMNS;
        } catch (IOException e) {
            return DEFAULT_COLUMNS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_COLUMNS;
        }
    }

    /** Whether the standard streams encode UTF-8, so the bar can use block characters (else '#', as tqdm's ascii bar). */
    static boolean isUtf8() {
        String encoding = System.getProperty("stderr.encoding", System.getProperty("sun.stderr.encoding",
                System.getProperty("native.encoding", Charset.defaultCharset().name())));
        return encoding.toUpperCase(java.util.Locale.ROOT).replace("-", "").equals("UTF8");
    }

    private static String device(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static Integer positive(String value) {
        try {
            int n = Integer.parseInt(value == null ? "" : value.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
