package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.trainer.model.deberta.DebertaV2Config;
import dev.finetune.trainer.model.electra.ElectraConfig;
import dev.finetune.trainer.model.mpnet.MPNetConfig;
import dev.finetune.trainer.model.roberta.RobertaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry chooses the family by model_type; each family loads and saves transformers' names. */
class ModelFamiliesTest {
    @TempDir
    Path tmp;

    @Test
    void anUnsupportedModelTypeIsRefusedWithTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.parseConfig("{\"model_type\": \"gpt2\", \"vocab_size\": 10}", "some/config.json"));
        assertEquals("some/config.json: model_type \"gpt2\" is not supported; supported model types: "
                + String.join(", ", ModelFamilies.supported()), e.getMessage());
        assertTrue(ModelFamilies.supported().containsAll(List.of("bert", "deberta-v2", "mpnet")), ModelFamilies.supported()::toString);
        assertTrue(ModelFamilies.supported().containsAll(List.of("electra", "roberta", "xlm-roberta")), ModelFamilies.supported()::toString);
    }

    @Test
    void eachModelTypeReadsAsItsFamilysConfigAndNoneAsBert() {
        assertInstanceOf(BertConfig.class, ModelFamilies.parseConfig("{\"vocab_size\": 10}", "no model_type"));
        assertInstanceOf(BertConfig.class, ModelFamilies.parseConfig("{\"model_type\": \"bert\"}", "bert"));
        assertInstanceOf(MPNetConfig.class, ModelFamilies.parseConfig("{\"model_type\": \"mpnet\"}", "mpnet"));
        assertInstanceOf(DebertaV2Config.class, ModelFamilies.parseConfig("{\"model_type\": \"deberta-v2\"}", "deberta"));
        EncoderConfig mpnet = ModelFamilies.parseConfig("{\"model_type\": \"mpnet\", \"max_position_embeddings\": 40}", "m");
        assertEquals(38, mpnet.maxInputLength(), "positions 2..39: they start at padding_idx + 1");
        assertEquals(32, mpnet.architecture().get("relative_attention_num_buckets"));
        assertInstanceOf(RobertaConfig.class, ModelFamilies.parseConfig("{\"model_type\": \"xlm-roberta\"}", "xlm-r"));
        EncoderConfig roberta = ModelFamilies.parseConfig("{\"model_type\": \"roberta\", \"max_position_embeddings\": 514}", "r");
        assertEquals("roberta", roberta.modelType());
        assertEquals(512, roberta.maxInputLength(), "positions 2..513: they start at pad_token_id 1 + 1");
        assertInstanceOf(ElectraConfig.class, ModelFamilies.parseConfig("{\"model_type\": \"electra\"}", "electra"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "mpnet", "deberta-v2", "roberta", "xlm-roberta", "electra"})
    void aFixtureLoadsWithNoMissingOrUnexpectedKeysAndSavesTheSameKeysAndExtraConfigKeys(String family) throws Exception {
        Path fixture = fixture(family);
        Path saved = tmp.resolve("saved");
        try (NDManager manager = NDManager.newBaseManager();
                SequenceClassificationModel model = FamilyFixtureChecks.load(fixture, manager)) {
            assertEquals(new WeightLoadReport(List.of(), List.of()), model.loadReport());
            assertEquals(family, model.config().modelType());
            model.savePretrained(saved);
        }
        assertEquals(names(fixture), names(saved), "save_pretrained's key set");
        ObjectNode in = ConfigFields.readObject(fixture.resolve("config.json"));
        ObjectNode out = ConfigFields.readObject(saved.resolve("config.json"));
        for (String key : List.of("model_type", "architectures", "problem_type", "torch_dtype", "transformers_version",
                "id2label", "label2id")) {
            assertEquals(in.get(key), out.get(key), key + " is carried through");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "mpnet", "deberta-v2", "roberta", "xlm-roberta", "electra"})
    void weightsWithoutTheBaseModelPrefixLoadAsFromPretrainedAccepts(String family) throws Exception {
        Path fixture = fixture(family);
        String prefix = switch (family) {
            case "bert" -> "bert.";
            case "mpnet" -> "mpnet.";
            case "roberta", "xlm-roberta" -> "roberta.";
            case "electra" -> "electra.";
            default -> "deberta.";
        };
        FamilyFixtureChecks.assertLoadsWithoutBaseModelPrefix(fixture, prefix, tmp);
    }

    @Test
    void theArchitectureComparedOnResumeIsEachFamilysOwn() {
        EncoderConfig bert = ModelFamilies.parseConfig("{\"model_type\": \"bert\"}", "bert");
        EncoderConfig deberta = ModelFamilies.parseConfig("{\"model_type\": \"deberta-v2\"}", "deberta");
        assertTrue(bert.architecture().containsKey("type_vocab_size"));
        assertTrue(deberta.architecture().containsKey("position_buckets"));
        assertNotEquals(bert.architecture().keySet(), deberta.architecture().keySet());
    }

    private static TreeSet<String> names(Path dir) throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            return new TreeSet<>(reader.names());
        }
    }

    private static Path fixture(String family) {
        Path dir = Path.of(System.getProperty("finetune.shared", "../shared")).resolve("fixtures/hf-oracle").resolve(family);
        assumeTrue(Files.isRegularFile(dir.resolve("model.safetensors")),
                "skipped: " + dir + " is absent (set -Dfinetune.shared to the shared folder)");
        return dir;
    }
}
