package dev.finetune.trainer;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.api.TaskSpec;
import dev.finetune.trainer.data.DatasetReader;
import dev.finetune.trainer.data.EvalBatches;
import dev.finetune.trainer.data.Example;
import dev.finetune.trainer.data.PairTokenizer;
import dev.finetune.trainer.model.EncoderConfig;
import dev.finetune.trainer.model.ModelFamilies;
import dev.finetune.trainer.model.SequenceClassificationModel;
import dev.finetune.trainer.train.Evaluator;
import dev.finetune.trainer.train.Prediction;
import dev.finetune.trainer.train.Predictions;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trainer.predict for a saved model: logits, predicted label and, where the data has one, the gold label
 * of every row, plus metrics (test_ prefix, as transformers) when the data is labelled.
 */
public final class PredictionJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionJob() {}

    /**
     * @param task text and label columns and maxLength; numLabels and labelNames are taken from the model's config
     * @param rowsOut receives one JSON object per line
     * @return metrics with the test_ prefix
     */
    public static Map<String, Double> run(Path modelDir, Path dataFile, String format, TaskSpec task, int batchSize,
            Writer rowsOut) throws IOException {
        EncoderConfig config = ModelFamilies.readConfig(modelDir.resolve("config.json"));
        TaskSpec resolved = withLabels(task, config);
        List<Example> examples = DatasetReader.readForPrediction(dataFile, format, resolved);
        Predictions predictions;
        int padTokenId;
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(modelDir, resolved.maxLength)) {
            padTokenId = tokenizer.padTokenId();
            EvalBatches batches = new EvalBatches(tokenizer.encode(examples), batchSize, padTokenId);
            try (NDManager manager = NDManager.newBaseManager();
                    SequenceClassificationModel model = ModelFamilies.fromPretrained(
                            modelDir, config.numLabels(), config.labels(), manager, 0)) {
                predictions = new Evaluator(LoopAdapters.classifier(model)).predict(LoopAdapters.evalSource(batches));
            }
        }
        for (int i = 0; i < examples.size(); i++) {
            rowsOut.write(JSON.writeValueAsString(row(examples.get(i), predictions.rows().get(i), config.labels())));
            rowsOut.write('\n');
        }
        rowsOut.flush();
        Map<String, Double> metrics = new LinkedHashMap<>();
        predictions.metrics().forEach((key, value) -> metrics.put(key.replaceFirst("^eval_", "test_"), value));
        return metrics;
    }

    private static ObjectNode row(Example example, Prediction prediction, List<String> labels) {
        ObjectNode row = JSON.createObjectNode();
        row.put("line", example.line());
        var logits = row.putArray("logits");
        for (float logit : prediction.logits()) {
            logits.add(logit);
        }
        row.put("predicted", prediction.predicted());
        row.put("predicted_label", labels.get(prediction.predicted()));
        if (prediction.gold() >= 0) {
            row.put("label", prediction.gold());
        }
        return row;
    }

    private static TaskSpec withLabels(TaskSpec task, EncoderConfig config) {
        TaskSpec copy = new TaskSpec();
        copy.type = task.type;
        copy.textFields = task.textFields;
        copy.labelField = task.labelField;
        copy.maxLength = task.maxLength;
        copy.numLabels = config.numLabels();
        copy.labelNames = config.labels();
        return copy;
    }
}
