package dev.finetune.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.finetune.trainer.model.BertConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict without --max-length truncates as a transformers pipeline would: to the tokenizer's model_max_length. */
class PredictionJobMaxLengthTest {
    private static final Path MODEL = Path.of("examples", "quickstart", "model");

    @TempDir
    Path tmp;

    @Test
    void theTokenizersModelMaxLengthWithinThePositionTable() throws Exception {
        BertConfig config = BertConfig.read(MODEL.resolve("config.json")); // max_position_embeddings 128
        assertEquals(64, PredictionJob.defaultMaxLength(withTokenizerConfig("{\"model_max_length\": 64}"), config));
        assertEquals(128, PredictionJob.defaultMaxLength(withTokenizerConfig("{\"model_max_length\": 512}"), config));
        // transformers' "no limit" (int(1e30)) and a tokenizer that says nothing: the position table
        assertEquals(128, PredictionJob.defaultMaxLength(withTokenizerConfig("{\"model_max_length\": 1000000000000000019884624838656}"), config));
        assertEquals(128, PredictionJob.defaultMaxLength(withTokenizerConfig("{}"), config));
        assertEquals(128, PredictionJob.defaultMaxLength(tmp, config));
    }

    private Path withTokenizerConfig(String json) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m" + json.hashCode()));
        Files.writeString(dir.resolve("tokenizer_config.json"), json);
        return dir;
    }
}
