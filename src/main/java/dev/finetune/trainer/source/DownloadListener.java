package dev.finetune.trainer.source;

/**
 * Receives download progress, so that the trainer's /progress can show the {@code Downloading} stage.
 * Called from the downloading thread a few times a second at most, and once more when a file is finished.
 */
@FunctionalInterface
public interface DownloadListener {
    DownloadListener NONE = progress -> { };

    void onProgress(DownloadProgress progress);
}
