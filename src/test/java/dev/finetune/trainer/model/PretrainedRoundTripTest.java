package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** save_pretrained / from_pretrained: files transformers reads, and its matching of checkpoint names. */
class PretrainedRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesIdenticalLogitsAndConfig() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] in = TinyBert.inputs(manager, 3, 11, 4);
            float[] before;
            try (BertForSequenceClassification model = BertForSequenceClassification.fromConfig(
                    TinyBert.config(64).withLabels(2, List.of("not_equivalent", "equivalent")), manager, 21)) {
                before = model.forward(in[0], in[1], in[2], false).toFloatArray();
                model.savePretrained(dir);
            }
            try (BertForSequenceClassification loaded = BertForSequenceClassification.fromPretrained(dir, 2, null, manager, 99)) {
                assertArrayEquals(before, loaded.forward(in[0], in[1], in[2], false).toFloatArray(), 0f);
                assertEquals(List.of(), loaded.loadReport().newlyInitialized());
                assertEquals(List.of(), loaded.loadReport().unused());
                assertEquals(List.of("not_equivalent", "equivalent"), loaded.config().labels());
            }
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("bert", config.get("model_type").asText());
        assertEquals(2, config.get("num_labels").asInt());
        assertEquals("equivalent", config.get("id2label").get("1").asText());
        assertEquals(0, config.get("label2id").get("not_equivalent").asInt());
        assertEquals(16, config.get("hidden_size").asInt());
        assertEquals("gelu", config.get("hidden_act").asText());
    }

    @Test
    void writtenSafetensorsHasSortedPaddedHeaderAndIdenticalTensors() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 4)) {
            model.savePretrained(dir);
            Path file = dir.resolve("model.safetensors");
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
            List<String> keys = new ArrayList<>();
            header.fieldNames().forEachRemaining(keys::add);
            assertEquals("__metadata__", keys.get(0));
            assertEquals("pt", header.get("__metadata__").get("format").asText());
            List<String> names = keys.subList(1, keys.size());
            assertEquals(names.stream().sorted().toList(), names, "tensor names sorted");
            assertEquals(model.namedParameters().keySet(), new java.util.TreeSet<>(names));
            long offset = 0;
            for (String name : names) {
                assertEquals("F32", header.get(name).get("dtype").asText());
                assertEquals(offset, header.get(name).get("data_offsets").get(0).asLong(), name + " contiguous");
                offset = header.get(name).get("data_offsets").get(1).asLong();
            }
            assertEquals(8 + headerLength + offset, bytes.length);

            try (SafetensorsReader reader = SafetensorsReader.open(file);
                    NDManager readManager = manager.newSubManager()) {
                assertEquals(Map.of("format", "pt"), reader.metadata());
                Map<String, NDArray> read = reader.readAll(readManager);
                for (Map.Entry<String, NDArray> e : model.namedParameters().entrySet()) {
                    NDArray back = read.get(e.getKey());
                    assertEquals(e.getValue().getShape(), back.getShape(), e.getKey());
                    assertArrayEquals(e.getValue().toFloatArray(), back.toFloatArray(), 0f, e.getKey());
                }
            }
        }
    }

    @Test
    void checkpointWithoutPrefixWithGammaBetaAndExtraTensorLoadsAndReportsItUnused() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] in = TinyBert.inputs(manager, 2, 6, 1);
            float[] before;
            try (BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 8)) {
                before = model.forward(in[0], in[1], in[2], false).toFloatArray();
                model.config().write(dir.resolve("config.json"));
                // A base-model checkpoint as the Hub has them: no "bert." prefix, LayerNorm.gamma/beta as in
                // bert-base-uncased's file, plus a pretraining head.
                Map<String, NDArray> tensors = new LinkedHashMap<>();
                model.namedParameters().forEach((name, array) -> tensors.put(name.replaceFirst("^bert\\.", "")
                        .replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"), array));
                tensors.put("cls.predictions.bias", manager.zeros(new Shape(TinyBert.VOCAB)));
                SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
            }
            try (BertForSequenceClassification loaded = BertForSequenceClassification.fromPretrained(dir, 2, null, manager, 1)) {
                assertEquals(List.of("cls.predictions.bias"), loaded.loadReport().unused());
                assertEquals(List.of(), loaded.loadReport().newlyInitialized());
                assertArrayEquals(before, loaded.forward(in[0], in[1], in[2], false).toFloatArray(), 0f);
                // Loaded arrays are copies, not views of the read-only file mapping: the optimiser updates them in place.
                loaded.namedParameters().get("bert.encoder.layer.0.output.dense.weight").addi(0.5f);
                assertFalse(loaded.forward(in[0], in[1], in[2], false).contentEquals(manager.create(before, new Shape(2, 2))));
            }
        }
    }

    @Test
    void miniLmIntoClassifierReportsPoolerAndClassifierAsNewInOneLogLine() throws IOException {
        Path miniLm = SharedFiles.miniLm();
        Logger logger = (Logger) LoggerFactory.getLogger(WeightLoadReport.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (NDManager manager = NDManager.newBaseManager();
                BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(
                        miniLm, 2, List.of("not_equivalent", "equivalent"), manager, 42);
                SafetensorsReader reader = SafetensorsReader.open(miniLm.resolve("model.safetensors"))) {
            // MiniLM's checkpoint has no pooler: transformers reports it with the classifier.
            assertEquals(List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"),
                    model.loadReport().newlyInitialized());
            assertEquals(List.of(), model.loadReport().unused());
            assertTrue(reader.read("encoder.layer.5.output.dense.weight", manager)
                    .contentEquals(model.namedParameters().get("bert.encoder.layer.5.output.dense.weight")));
            List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("Some weights of BertForSequenceClassification were not initialized from the"
                    + " model checkpoint at " + miniLm + " and are newly initialized: [bert.pooler.dense.weight,"), lines.get(0));
            // New weights drawn as transformers draws them: normal(0, initializer_range = 0.02).
            NDArray classifier = model.namedParameters().get("classifier.weight");
            float std = (float) Math.sqrt(classifier.pow(2).mean().getFloat());
            assertEquals(0.02f, std, 0.003f);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            try (BertForSequenceClassification model = BertForSequenceClassification.fromConfig(TinyBert.config(64), manager, 2)) {
                model.savePretrained(dir);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BertForSequenceClassification.fromPretrained(dir, 3, null, manager, 2));
            assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("(2, 16)")
                    && e.getMessage().contains("(3, 16)"), e.getMessage());
        }
    }

    @Test
    void folderWithoutSafetensorsIsAnErrorNamingIt() throws IOException {
        TinyBert.config(64).write(dir.resolve("config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class,
                    () -> BertForSequenceClassification.fromPretrained(dir, 2, null, manager, 1));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("model.safetensors"), e.getMessage());
            Files.writeString(dir.resolve("pytorch_model.bin"), "not read");
            e = assertThrows(IOException.class, () -> BertForSequenceClassification.fromPretrained(dir, 2, null, manager, 1));
            assertTrue(e.getMessage().contains("pytorch_model.bin, which is not supported"), e.getMessage());
        }
    }
}
