package dev.finetune.trainer.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the checkpoint package plugs in: the loop calls it at each save point (saveStrategy), then the
 * callbacks' {@code onSave} with the folder it returns. The saver owns the layout (checkpoint-STEP, atomic
 * rename, retention) and the model weights; it should set {@code state.bestModelCheckpoint} to the folder
 * it writes when {@code state.bestGlobalStep == state.globalStep}, before writing trainer_state.json, as
 * transformers does. The loop also records it afterwards.
 */
public interface CheckpointSaver {
    Path save(TrainingSnapshot snapshot) throws IOException;
}
