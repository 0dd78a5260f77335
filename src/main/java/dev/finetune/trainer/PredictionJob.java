package dev.finetune.trainer;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.TaskRules;
import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.data.DataException;
import dev.finetune.trainer.data.DatasetReader;
import dev.finetune.trainer.data.DataFormat;
import dev.finetune.trainer.data.EvalBatches;
import dev.finetune.trainer.data.EncodedExample;
import dev.finetune.trainer.data.Example;
import dev.finetune.trainer.data.ModelInputs;
import dev.finetune.trainer.data.PairTokenizer;
import dev.finetune.trainer.data.PretokenizedRow;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.PretrainedWeights;
import dev.finetune.trainer.model.PretrainedModel;
import dev.finetune.trainer.source.ParquetConverter;
import dev.finetune.trainer.source.SourceException;
import dev.finetune.trainer.train.Evaluator;
import dev.finetune.trainer.train.Prediction;
import dev.finetune.trainer.train.Predictions;
import dev.finetune.trainer.train.TaskObjective;
import dev.finetune.trainer.train.TokenClassificationObjective;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trainer.predict for a saved model: logits and the task's prediction (label, label set or value; the task is read
 * from config.json's problem_type) and, where the data has one, the gold label of every row, plus metrics (test_ prefix, as transformers) when the data is labelled.
 */
public final class PredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionJob() {}

    /**
     * @param task text and label columns, and maxLength (null: the model folder's own, {@link #defaultMaxLength});
     *        numLabels and labelNames are taken from the model's config
     * @param rowsOut receives one JSON object per line
     * @return metrics with the test_ prefix
     */
    public static Map<String, Double> run(Path modelDir, Path dataFile, String format, TaskSpec task, int batchSize,
            Writer rowsOut) throws IOException, SourceException {
        // The model folder before the data: a wrong --model is the likelier mistake, and cheaper to report.
        EncoderConfig config = ModelFolderCheck.config(modelDir);
        Integer maxLength = task.maxLength != null ? task.maxLength : defaultMaxLength(modelDir, config);
        ModelFolderCheck.check(modelDir, config, maxLength, "--max-length");
        if (!Files.isRegularFile(modelDir.resolve(PretrainedWeights.WEIGHTS_FILE))) {
            throw DataException.inFile(modelDir, "has no " + PretrainedWeights.WEIGHTS_FILE + ": predict needs trained weights"
                    + " (the final/ or a checkpoint-N/ folder of a run)");
        }
        TaskSpec resolved = withLabels(task, config);
        resolved.maxLength = maxLength;
        boolean tokens = isTokenClassifier(modelDir);
        if (tokens) {
            resolved.type = TaskRules.TOKEN_CLASSIFICATION;
            resolved.problemType = null;
        }
        ModelInputs inputs = ModelFolderCheck.inputs(modelDir, config);
        // Rows that carry their token ids need no tokenizer: the folder may have none (config + weights only).
        PredictionRows rows = readRows(dataFile, format, (file, fileFormat) -> {
            if (!DatasetReader.isPretokenized(file, fileFormat)) {
                return new PredictionRows(DatasetReader.readForPrediction(file, fileFormat, resolved), null);
            }
            List<PretokenizedRow> read = DatasetReader.readPretokenizedForPrediction(file, fileFormat, resolved, inputs,
                    maxLength, "--max-length");
            return new PredictionRows(read.stream().map(PretokenizedRow::row).toList(),
                    read.stream().map(PretokenizedRow::input).toList());
        });
        String problemType = TaskRules.problemType(resolved);
        List<Example> examples = rows.examples();
        List<EncodedExample> encoded = rows.pretokenized();
        int padTokenId = inputs.padTokenId();
        if (encoded == null) {
            try (PairTokenizer tokenizer = tokens ? PairTokenizer.forWords(modelDir, resolved.maxLength)
                    : PairTokenizer.fromModelDir(modelDir, resolved.maxLength)) {
                padTokenId = tokenizer.padTokenId();
                encoded = tokenizer.encode(examples);
            }
        }
        Predictions predictions;
        EvalBatches batches = new EvalBatches(encoded, batchSize, padTokenId);
        try (NDManager manager = NDManager.newBaseManager();
                PretrainedModel model = tokens
                        ? ModelFamilies.tokenClassifierFromPretrained(modelDir, config.numLabels(), config.labels(), manager, 0)
                        : ModelFamilies.fromPretrained(modelDir, config.numLabels(), config.labels(), manager, 0)) {
            TaskObjective objective = tokens ? new TokenClassificationObjective(config.labels())
                    : TaskObjective.of(problemType, config.numLabels());
            predictions = new Evaluator(LoopAdapters.classifier(model), objective).predict(LoopAdapters.evalSource(batches));
        }
        for (int i = 0; i < examples.size(); i++) {
            ObjectNode row = tokens ? TokenPredictionRow.of(examples.get(i), predictions.rows().get(i), config.labels())
                    : row(examples.get(i), predictions.rows().get(i), config.labels(), problemType);
            rowsOut.write(JSON.writeValueAsString(row));
            rowsOut.write('\n');
        }
        rowsOut.flush();
        Map<String, Double> metrics = new LinkedHashMap<>();
        predictions.metrics().forEach((key, value) -> metrics.put(key.replaceFirst("^eval_", "test_"), value));
        return metrics;
    }

    /**
     * The longest input when no --max-length is given: the tokenizer's model_max_length (what a transformers pipeline
     * truncates to), within the model's position table; the position table when the tokenizer sets none.
     */
    static int defaultMaxLength(Path modelDir, EncoderConfig config) {
        int positions = config.maxInputLength();
        Path file = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return positions;
        }
        try {
            JsonNode length = JSON.readTree(file.toFile()).path("model_max_length");
            // transformers writes a huge number (1e30) for "no limit"
            return length.canConvertToInt() && length.asInt() > 0 ? Math.min(length.asInt(), positions) : positions;
        } catch (IOException e) {
            throw DataException.inFile(file, "not valid JSON: " + e.getMessage());
        }
    }

    /** Whether config.json's architectures name a ForTokenClassification head (AutoModelForTokenClassification). */
    private static boolean isTokenClassifier(Path modelDir) throws IOException {
        JsonNode architectures = JSON.readTree(modelDir.resolve("config.json").toFile()).path("architectures");
        for (JsonNode architecture : architectures) {
            if (architecture.asText().endsWith("ForTokenClassification")) {
                return true;
            }
        }
        return false;
    }

    /** The rows of a data file: each one's place and label, and its token ids where the file is pre-tokenised (else null). */
    private record PredictionRows(List<Example> examples, List<EncodedExample> pretokenized) {}

    /** Reads a JSON lines, CSV or TSV file of the given format. */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(Path file, String format);
    }

    /** What {@code reader} makes of {@code dataFile}; Parquet is converted to JSON lines first, as `run` does with a Parquet split. */
    private static <T> T readRows(Path dataFile, String format, RowReader<T> reader) throws IOException, SourceException {
        if (!DataFormat.isParquet(format, dataFile)) {
            return reader.read(dataFile, format);
        }
        if (!Files.isRegularFile(dataFile)) {
            throw DataException.inFile(dataFile, Files.isDirectory(dataFile) ? "is a folder, expected a data file" : "no such file");
        }
        Path folder = Files.createTempDirectory("finetune-predict-");
        Path rows = folder.resolve(dataFile.getFileName() + ".jsonl");
        try {
            ParquetConverter.toJsonl(List.of(dataFile), rows, "--data");
            return reader.read(rows, "jsonl");
        } finally {
            Files.deleteIfExists(rows);
            Files.deleteIfExists(folder);
        }
    }

    /**
     * One output row: the logits, then per task the predicted label (single-label), the probability of each label
     * and the predicted label set (multi-label, sigmoid above 0.5) or the predicted value (regression); the gold
     * label where the data has one.
     */
    private static ObjectNode row(Example example, Prediction prediction, List<String> labels, String problemType) {
        ObjectNode row = JSON.createObjectNode();
        row.put("line", example.line());
        var logits = row.putArray("logits");
        for (float logit : prediction.logits()) {
            logits.add(logit);
        }
        switch (problemType) {
            case TaskRules.MULTI_LABEL -> {
                var probabilities = row.putObject("probabilities");
                var predicted = row.putArray("predicted_labels");
                for (int k = 0; k < labels.size(); k++) {
                    probabilities.put(labels.get(k), 1 / (1 + Math.exp(-prediction.logits()[k])));
                    if (prediction.logits()[k] > 0) {
                        predicted.add(labels.get(k));
                    }
                }
                if (prediction.labelled()) {
                    var gold = row.putArray("labels");
                    for (int k = 0; k < labels.size(); k++) {
                        if (prediction.goldTargets()[k] > 0.5f) {
                            gold.add(labels.get(k));
                        }
                    }
                }
            }
            case TaskRules.REGRESSION -> {
                if (prediction.logits().length == 1) {
                    row.put("prediction", prediction.logits()[0]);
                } else {
                    logits.forEach(v -> row.withArray("prediction").add(v));
                }
                if (prediction.labelled()) {
                    if (prediction.goldTargets().length == 1) {
                        row.put("label", prediction.goldTargets()[0]);
                    } else {
                        var gold = row.putArray("label");
                        for (float v : prediction.goldTargets()) {
                            gold.add(v);
                        }
                    }
                }
            }
            default -> {
                row.put("predicted", prediction.predicted());
                row.put("predicted_label", labels.get(prediction.predicted()));
                if (prediction.gold() >= 0) {
                    row.put("label", prediction.gold());
                }
            }
        }
        return row;
    }

    private static TaskSpec withLabels(TaskSpec task, EncoderConfig config) {
        TaskSpec copy = new TaskSpec();
        copy.type = task.type;
        copy.textFields = task.textFields;
        copy.labelField = task.labelField;
        copy.tokensField = task.tokensField;
        copy.tagsField = task.tagsField;
        copy.maxLength = task.maxLength;
        copy.numLabels = config.numLabels();
        copy.labelNames = config.labels();
        // The task the model was trained for: config.json's problem_type, else as transformers infers it.
        copy.problemType = config.problemType();
        return copy;
    }
}
