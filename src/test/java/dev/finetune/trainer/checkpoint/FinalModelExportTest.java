package dev.finetune.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.data.Batch;
import dev.finetune.trainer.metrics.TrainingMeters;
import dev.finetune.trainer.model.BertForSequenceClassification;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.train.ToyData;
import dev.finetune.trainer.train.Trainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** final/: the names and shapes transformers expects, read back to the same logits, the best weights when asked. */
class FinalModelExportTest {
    @TempDir
    Path temp;

    /** transformers' BertForSequenceClassification state_dict for the tiny config (no position_ids buffer). */
    private static Map<String, Shape> transformersKeys(int layers, int hidden, int intermediate, int vocab, int positions,
            int labels) {
        Map<String, Shape> keys = new TreeMap<>();
        keys.put("bert.embeddings.word_embeddings.weight", new Shape(vocab, hidden));
        keys.put("bert.embeddings.position_embeddings.weight", new Shape(positions, hidden));
        keys.put("bert.embeddings.token_type_embeddings.weight", new Shape(2, hidden));
        keys.put("bert.embeddings.LayerNorm.weight", new Shape(hidden));
        keys.put("bert.embeddings.LayerNorm.bias", new Shape(hidden));
        for (int i = 0; i < layers; i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String qkv : List.of("query", "key", "value")) {
                keys.put(p + "attention.self." + qkv + ".weight", new Shape(hidden, hidden));
                keys.put(p + "attention.self." + qkv + ".bias", new Shape(hidden));
            }
            keys.put(p + "attention.output.dense.weight", new Shape(hidden, hidden));
            keys.put(p + "attention.output.dense.bias", new Shape(hidden));
            keys.put(p + "attention.output.LayerNorm.weight", new Shape(hidden));
            keys.put(p + "attention.output.LayerNorm.bias", new Shape(hidden));
            keys.put(p + "intermediate.dense.weight", new Shape(intermediate, hidden));
            keys.put(p + "intermediate.dense.bias", new Shape(intermediate));
            keys.put(p + "output.dense.weight", new Shape(hidden, intermediate));
            keys.put(p + "output.dense.bias", new Shape(hidden));
            keys.put(p + "output.LayerNorm.weight", new Shape(hidden));
            keys.put(p + "output.LayerNorm.bias", new Shape(hidden));
        }
        keys.put("bert.pooler.dense.weight", new Shape(hidden, hidden));
        keys.put("bert.pooler.dense.bias", new Shape(hidden));
        keys.put("classifier.weight", new Shape(labels, hidden));
        keys.put("classifier.bias", new Shape(labels));
        return keys;
    }

    @Test
    void finalHasTransformersKeysAndReadsBackToTheSameLogits() throws Exception {
        Path tokenizer = TinyBert.tokenizerDir(temp.resolve("model"));
        Path output = temp.resolve("output");
        TrainingSpec spec = ToyRun.spec();
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = TinyBert.model(manager, spec.seed)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CheckpointWriter writer = new CheckpointWriter(output, model, tokenizer, spec, new TrainingMeters(registry, "t"));
            try (Trainer trainer = new Trainer(TinyBert.classifier(model), spec, ToyData.train(ToyRun.ROWS, ToyRun.BATCH,
                    spec.seed), ToyData.eval(16, 8)).withOutput(new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8)).withProgressBar(false).withCheckpointSaver(writer)) {
                trainer.train(null);
                assertEquals(output.resolve("final"), writer.saveFinal(trainer.state()));
            }
            // finetune_checkpoint_save_seconds: one sample per checkpoint (steps 6 and 12).
            assertEquals(2, registry.get("finetune.checkpoint.save.seconds").summary().count());
            Path exported = output.resolve("final");
            Map<String, Shape> found = new TreeMap<>();
            try (SafetensorsReader reader = SafetensorsReader.open(exported.resolve("model.safetensors"))) {
                reader.names().forEach(n -> found.put(n, reader.info(n).shape()));
                assertEquals("pt", reader.metadata().get("format"));
            }
            assertEquals(transformersKeys(2, 16, 32, TinyBert.VOCAB, 32, 2), found);
            JsonNode config = new ObjectMapper().readTree(exported.resolve("config.json").toFile());
            assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
            assertEquals(2, config.get("num_labels").asInt());
            for (String name : CheckpointLayout.TOKENIZER_FILES) {
                assertEquals(Files.readString(tokenizer.resolve(name)), Files.readString(exported.resolve(name)), name);
            }

            try (NDManager scope = manager.newSubManager();
                    BertForSequenceClassification loaded = BertForSequenceClassification.fromPretrained(exported, 2, null,
                            scope, 99)) {
                assertEquals(List.of(), loaded.loadReport().newlyInitialized());
                assertEquals(List.of(), loaded.loadReport().unused());
                Batch batch = ToyData.eval(16, 16).batch(0, scope);
                float[] expected = model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false)
                        .toFloatArray();
                float[] actual = loaded.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), false)
                        .toFloatArray();
                assertEquals(32, actual.length);
                assertArrayEquals(expected, actual, 0f);
            }
        }
    }

    @Test
    void loadBestModelAtEndExportsTheBestCheckpointsWeights() throws Exception {
        TrainingSpec spec = ToyRun.spec();
        spec.saveSteps = 3;
        spec.saveTotalLimit = null;
        spec.loadBestModelAtEnd = true;
        spec.metricForBestModel = "f1"; // the toy f1 peaks before the end, so best and last differ
        Path output = temp.resolve("best");
        ToyRun.Result result = ToyRun.run(output, null, spec, null);
        Path best = Path.of(result.state().bestModelCheckpoint);
        assertEquals(CheckpointLayout.checkpointFolder(output, result.state().bestGlobalStep), best);
        Map<String, float[]> bestWeights = weights(best);
        Map<String, float[]> finalWeights = weights(output.resolve("final"));
        for (Map.Entry<String, float[]> e : bestWeights.entrySet()) {
            assertArrayEquals(e.getValue(), finalWeights.get(e.getKey()), 0f, e.getKey());
            assertArrayEquals(e.getValue(), result.weights().get(e.getKey()), 0f, "in memory " + e.getKey());
        }
        if (result.state().bestGlobalStep != 12) {
            Map<String, float[]> last = weights(CheckpointLayout.checkpointFolder(output, 12));
            List<Boolean> differs = new ArrayList<>();
            last.forEach((k, v) -> differs.add(!java.util.Arrays.equals(v, bestWeights.get(k))));
            assertTrue(differs.contains(true), "the best and the last weights should differ");
        }
    }

    private static Map<String, float[]> weights(Path folder) throws Exception {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager();
                SafetensorsReader reader = SafetensorsReader.open(folder.resolve("model.safetensors"))) {
            for (String name : reader.names()) {
                NDArray array = reader.read(name, manager);
                out.put(name, array.toFloatArray());
            }
        }
        return out;
    }
}
