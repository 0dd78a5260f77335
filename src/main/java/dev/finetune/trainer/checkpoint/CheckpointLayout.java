package dev.finetune.trainer.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names in an output folder, as the Hugging Face Trainer lays it out: {@code checkpoint-<step>/} per save,
 * {@code final/} for the exported model, and {@code tmp-...} folders that are being written.
 */
public final class CheckpointLayout {
    public static final String CHECKPOINT_PREFIX = "checkpoint-";
    /** Folders being written start with this; a resume removes the ones a crash left behind. */
    public static final String TEMPORARY_PREFIX = "tmp-";
    public static final String FINAL_FOLDER = "final";

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TRAINER_STATE = "trainer_state.json";
    /** Our TrainingSpec as JSON; transformers writes a pickled training_args.bin, which Java cannot write. */
    public static final String TRAINING_ARGS = "training_args.json";
    /** AdamW's moments, tensors {@code exp_avg.<parameter>} and {@code exp_avg_sq.<parameter>}; the step count in the metadata. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String SCHEDULER = "scheduler.json";
    /** The seed and the data position; every random draw of the loop is a function of (seed, step). */
    public static final String RNG_STATE = "rng_state.json";

    /** Without any of these a checkpoint folder is not complete and is never resumed from. */
    public static final List<String> REQUIRED_FILES =
            List.of(CONFIG, WEIGHTS, TRAINER_STATE, TRAINING_ARGS, OPTIMIZER, SCHEDULER, RNG_STATE);

    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** Copied from the model folder, those present, so that AutoTokenizer loads a checkpoint or final/. */
    public static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", TOKENIZER_CONFIG, "special_tokens_map.json", "vocab.txt");

    private static final Pattern CHECKPOINT_NAME = Pattern.compile(Pattern.quote(CHECKPOINT_PREFIX) + "([0-9]{1,18})");

    private CheckpointLayout() {}

    public static Path checkpointFolder(Path output, long step) {
        return output.resolve(CHECKPOINT_PREFIX + step);
    }

    public static Path finalFolder(Path output) {
        return output.resolve(FINAL_FOLDER);
    }

    /** The step of a {@code checkpoint-<step>} folder name, empty for any other name. */
    public static OptionalLong stepOf(Path folder) {
        Matcher m = CHECKPOINT_NAME.matcher(folder.getFileName().toString());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    public static boolean isTemporary(Path folder) {
        return folder.getFileName().toString().startsWith(TEMPORARY_PREFIX);
    }
}
