package dev.finetune.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.trainer.model.SafetensorsReader;
import dev.finetune.trainer.model.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * optimizer.safetensors: AdamW's moments named by parameter, {@code exp_avg.<parameter>} and
 * {@code exp_avg_sq.<parameter>} (torch's state keys in front of transformers' parameter names), and the step count
 * in the {@code __metadata__} as {@code step}. Safetensors instead of torch's pickled optimizer.pt: Java cannot write
 * pickles, and Python reads these with {@code safetensors.torch.load_file}.
 */
final class OptimizerStateFile {
    private static final String[] MOMENTS = {"exp_avg_sq", "exp_avg"}; // longest suffix first
    static final String STEP_KEY = "step";

    private OptimizerStateFile() {}

    /** {@code state} as {@code AdamW.state()} names it: {@code <parameter>.exp_avg}, {@code <parameter>.exp_avg_sq}. */
    static void write(Path file, Map<String, NDArray> state, long step) throws IOException {
        Map<String, NDArray> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            renamed.put(fileName(e.getKey()), e.getValue());
        }
        SafetensorsWriter.write(file, renamed, Map.of("format", "pt", STEP_KEY, Long.toString(step)));
    }

    /** The moments, named as {@code AdamW.state()} wants them, in arrays owned by {@code manager}. */
    static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String name : reader.names()) {
                state.put(stateName(file, name), reader.read(name, manager));
            }
            return state;
        }
    }

    /** The step count the metadata records; an error naming the file where it is missing. */
    static long step(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            String step = reader.metadata().get(STEP_KEY);
            if (step == null) {
                throw new IOException(file + " has no '" + STEP_KEY + "' in its __metadata__");
            }
            try {
                return Long.parseLong(step);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": __metadata__.step is '" + step + "', not a number", e);
            }
        }
    }

    private static String fileName(String stateName) {
        for (String moment : MOMENTS) {
            if (stateName.endsWith("." + moment)) {
                return moment + "." + stateName.substring(0, stateName.length() - moment.length() - 1);
            }
        }
        throw new IllegalArgumentException("optimizer state '" + stateName + "' is neither an exp_avg nor an exp_avg_sq");
    }

    private static String stateName(Path file, String fileName) throws IOException {
        for (String moment : MOMENTS) {
            if (fileName.startsWith(moment + ".")) {
                return fileName.substring(moment.length() + 1) + "." + moment;
            }
        }
        throw new IOException(file + ": tensor '" + fileName + "' is neither exp_avg.<parameter> nor exp_avg_sq.<parameter>");
    }
}
