package dev.finetune.cli;

import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.PredictionJob;
import dev.finetune.trainer.train.TrainerLogFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `predict`: a saved model over a data file, as Trainer.predict. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Logits and labels of a saved model over a data file, one JSON line per row; metrics when labelled.")
final class PredictCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model folder, e.g. runs/quickstart/final.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL, CSV or TSV rows.")
    Path data;

    @Option(names = "--output", paramLabel = "FILE", description = "Where the JSON lines go (default: stdout).")
    Path output;

    @Option(names = "--format", defaultValue = "auto", description = "auto, jsonl, csv or tsv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--text-fields", split = ",", defaultValue = "sentence1,sentence2",
            description = "Text columns, one or two (default: ${DEFAULT-VALUE}).")
    List<String> textFields;

    @Option(names = "--label-field", defaultValue = "label", description = "Gold label column, if any (default: ${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--max-length", defaultValue = "128", description = "Truncate inputs to this many tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() {
        TaskSpec task = new TaskSpec();
        task.textFields = textFields;
        task.labelField = labelField;
        task.maxLength = maxLength;
        try (Writer rows = output == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(output)) {
            Map<String, Double> metrics = PredictionJob.run(model, data, format, task, batchSize, rows);
            // With rows on stdout, the metrics go to stderr so that stdout stays one JSON object per line.
            (output == null ? System.err : System.out).println(TrainerLogFormat.dict(metrics));
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (ExitCodes.isUserError(e)) {
                LOG.error("{}", message);
            } else {
                LOG.error("Prediction failed", e);
            }
            return ExitCodes.of(e);
        }
    }
}
