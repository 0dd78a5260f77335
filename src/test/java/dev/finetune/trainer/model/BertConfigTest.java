package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsFieldsAndDefaultsAndKeepsUnknownKeys() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"hidden_size\": 384, \"num_attention_heads\": 12, \"hidden_act\": \"gelu_new\","
                + " \"id2label\": {\"0\": \"no\", \"1\": \"yes\", \"2\": \"maybe\"}, \"problem_type\": \"single_label_classification\","
                + " \"classifier_dropout\": null, \"my_tool_setting\": {\"x\": [1, 2]}, \"transformers_version\": \"4.41.0\"}");
        BertConfig config = BertConfig.read(file);
        assertEquals(384, config.hiddenSize());
        assertEquals(32, config.headSize());
        assertEquals(12, config.numHiddenLayers()); // transformers' default
        assertEquals(HiddenActivation.GELU_NEW, config.hiddenAct());
        assertEquals(1e-12f, config.layerNormEps());
        assertEquals(List.of("no", "yes", "maybe"), config.labels());
        assertEquals("single_label_classification", config.problemType());
        assertEquals(0.1f, config.classifierDropoutProb());

        config.write(dir.resolve("out.json"));
        BertConfig back = BertConfig.read(dir.resolve("out.json"));
        ObjectNode json = back.toJson();
        assertEquals(2, json.get("my_tool_setting").get("x").get(1).asInt());
        assertEquals("4.41.0", json.get("transformers_version").asText());
        assertEquals("maybe", json.get("id2label").get("2").asText());
        assertEquals(2, json.get("label2id").get("maybe").asInt());
        assertEquals(3, json.get("num_labels").asInt());
        assertEquals(List.of("no", "yes", "maybe"), back.labels());
    }

    @Test
    void savedFloatsAreTheDecimalsTransformersWrites() {
        BertConfig config = BertConfig.parse("{\"hidden_dropout_prob\": 0.1, \"attention_probs_dropout_prob\": 0.1,"
                + " \"initializer_range\": 0.02, \"layer_norm_eps\": 1e-12, \"classifier_dropout\": 0.3}", "test");
        String json = config.toJson().toString();
        assertTrue(json.contains("\"hidden_dropout_prob\":0.1,"), json);
        assertTrue(json.contains("\"initializer_range\":0.02,"), json);
        assertTrue(json.contains("\"classifier_dropout\":0.3,"), json);
        assertEquals(1e-12, config.toJson().get("layer_norm_eps").doubleValue(), 0.0, json);
    }

    @Test
    void withLabelsUsesGivenNamesElseConfigsElseDefaults() {
        BertConfig config = BertConfig.parse("{}", "test");
        assertEquals(List.of("LABEL_0", "LABEL_1"), config.labels());
        assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), config.withLabels(3, null).labels());
        BertConfig named = config.withLabels(2, List.of("neg", "pos"));
        assertEquals(List.of("neg", "pos"), named.withLabels(2, null).labels());
        assertNull(named.problemType());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.withLabels(2, List.of("a")));
        assertTrue(e.getMessage().contains("numLabels is 2"), e.getMessage());
    }

    @Test
    void badValuesNameTheFileAndField() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"hidden_act\": \"swish\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertConfig.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("hidden_act \"swish\""), e.getMessage());

        Files.writeString(file, "{\"hidden_size\": \"big\"}");
        e = assertThrows(IllegalArgumentException.class, () -> BertConfig.read(file));
        assertTrue(e.getMessage().contains("hidden_size must be an integer"), e.getMessage());

        Files.writeString(file, "{\"hidden_size\": 100, \"num_attention_heads\": 12}");
        e = assertThrows(IllegalArgumentException.class, () -> BertConfig.read(file));
        assertTrue(e.getMessage().contains("not a multiple of num_attention_heads"), e.getMessage());

        Files.writeString(file, "{\"hidden_size\": 768,\n \"vocab_size\": }");
        e = assertThrows(IllegalArgumentException.class, () -> BertConfig.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> BertConfig.parse("{\"id2label\": {\"0\": \"a\", \"2\": \"b\"}}", "cfg"));
        assertTrue(e.getMessage().contains("cfg: id2label"), e.getMessage());
    }
}
