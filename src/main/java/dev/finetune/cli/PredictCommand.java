package dev.finetune.cli;

import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.PredictionJob;
import dev.finetune.trainer.source.SourceException;
import dev.finetune.trainer.train.TrainerLogFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL, CSV, TSV or Parquet rows.")
    Path data;

    @Option(names = "--output", paramLabel = "FILE", description = "Where the JSON lines go (default: stdout).")
    Path output;

    @Option(names = "--format", defaultValue = "auto", description = "auto, jsonl, csv, tsv or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--text-fields", split = ",", defaultValue = "sentence1,sentence2",
            description = "Text columns, one or two (default: ${DEFAULT-VALUE}).")
    List<String> textFields;

    @Option(names = "--label-field", defaultValue = "label", description = "Gold label column, if any (default: ${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--tokens-field", defaultValue = "tokens",
            description = "Token-classification models: the column of words (default: ${DEFAULT-VALUE}).")
    String tokensField;

    @Option(names = "--tags-field", defaultValue = "ner_tags",
            description = "Token-classification models: the gold tags column, if any (default: ${DEFAULT-VALUE}).")
    String tagsField;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Truncate inputs to this many tokens (default: the model folder's tokenizer_config.json model_max_length,"
                    + " within its max_position_embeddings).")
    Integer maxLength;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() {
        // Flags first, by their names: the spec fields they stand for mean nothing on this command line.
        String problem = flagProblem();
        if (problem == null) {
            problem = modelFolderProblem();
        }
        if (problem != null) {
            LOG.error("{}", problem);
            return ExitCodes.INVALID;
        }
        TaskSpec task = new TaskSpec();
        task.textFields = textFields;
        task.labelField = labelField;
        task.tokensField = tokensField;
        task.tagsField = tagsField;
        task.maxLength = maxLength;
        PredictionsFile file = null;
        try {
            file = output == null ? null : PredictionsFile.begin(output);
            try (Writer rows = file == null
                    ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                    : file.writer()) {
                Map<String, Double> metrics = PredictionJob.run(model, data, format, task, batchSize, rows);
                if (file != null) {
                    file.commit();
                }
                // With rows on stdout, the metrics go to stderr so that stdout stays one JSON object per line.
                (output == null ? System.err : System.out).println(TrainerLogFormat.dict(metrics));
                return ExitCodes.OK;
            }
        } catch (IOException | RuntimeException | SourceException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (ExitCodes.isUserError(e)) {
                LOG.error("{}", message);
            } else {
                LOG.error("Prediction failed", e);
            }
            return ExitCodes.of(e);
        } finally {
            if (file != null) {
                file.abandon();
            }
        }
    }

    private String flagProblem() {
        if (batchSize < 1) {
            return "--batch-size must be >= 1 (got " + batchSize + ")";
        }
        if (maxLength != null && (maxLength < MIN_LENGTH || maxLength > MAX_LENGTH)) {
            return "--max-length must be between " + MIN_LENGTH + " and " + MAX_LENGTH + " (got " + maxLength + ")";
        }
        if (!FORMATS.contains(format.trim().toLowerCase(Locale.ROOT))) {
            return "--format must be one of " + String.join(", ", FORMATS) + " (got " + format + ")";
        }
        if (textFields.isEmpty() || textFields.size() > 2) {
            return "--text-fields must name 1 or 2 columns (got " + textFields.size() + ": " + String.join(",", textFields) + ")";
        }
        if (textFields.stream().anyMatch(String::isBlank)) {
            return "--text-fields must not contain an empty name";
        }
        if (output != null && Files.isDirectory(output)) {
            return "--output " + output + " is a folder, expected the file the predictions go to";
        }
        return null;
    }

    private String modelFolderProblem() {
        if (!Files.exists(model)) {
            return "--model " + model + ": no such folder";
        }
        if (!Files.isDirectory(model)) {
            return "--model " + model + " is a file, expected a model folder (config.json, model.safetensors and the tokenizer files)";
        }
        return null;
    }

    private static final int MIN_LENGTH = 8;
    private static final int MAX_LENGTH = 8192;
    private static final List<String> FORMATS = List.of("auto", "jsonl", "csv", "tsv", "parquet");
}
