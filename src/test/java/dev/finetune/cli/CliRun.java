package dev.finetune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import picocli.CommandLine;

/** The jar's command line run in this JVM, as a user runs it, with what it printed. */
final class CliRun {
    private CliRun() {}

    /** The exit code, stdout, and stderr (picocli's own messages, e.g. a spec's problems, then the trainer's log lines). */
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            // Built after the swap: picocli's execute() replaces the err writer set here with one on the System.err of
            // the moment the CommandLine was built whenever that is no longer System.err, so a CommandLine built
            // before the swap would print the spec's problems to the real stderr, past both captures.
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            code = cli.execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err + log.toString(StandardCharsets.UTF_8));
    }

    /** stdout of a command that must exit 0 (failing, it shows both streams). */
    static String stdoutOf(String... args) {
        Result result = run(args);
        assertEquals(0, result.code(), result.err() + result.out());
        return result.out();
    }

    /** The exit code and everything the command printed, in order, as one terminal shows it: picocli's, stdout, the log. */
    record Printed(int code, String output) {}

    static Printed printed(List<String> args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(stream);
        System.setErr(stream);
        int code;
        try {
            CommandLine cli = Main.commandLine(); // after the swap, as in run()
            cli.setOut(new PrintWriter(stream, true));
            cli.setErr(new PrintWriter(stream, true));
            code = cli.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Printed(code, captured.toString(StandardCharsets.UTF_8));
    }

    /** The rows of a JSON lines file as Parquet (DuckDB, as the trainer reads Parquet): lists become list columns. */
    static Path toParquet(Path jsonl) throws Exception {
        Path parquet = jsonl.resolveSibling(jsonl.getFileName().toString().replace(".jsonl", ".parquet"));
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET autoinstall_known_extensions = false");
            statement.execute("COPY (SELECT * FROM read_json('" + jsonl.toAbsolutePath() + "', format = 'newline_delimited')) TO '"
                    + parquet + "' (FORMAT PARQUET)");
        }
        return parquet;
    }
}
