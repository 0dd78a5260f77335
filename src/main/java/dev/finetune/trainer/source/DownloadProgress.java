package dev.finetune.trainer.source;

/**
 * Where one file download stands (stage {@code Downloading}).
 *
 * @param file           the file's name as the user knows it, e.g. {@code model.safetensors}
 * @param bytesDone      bytes on disk so far, a resumed part included
 * @param bytesTotal     the file's size, or -1 where the server did not say
 * @param bytesPerSecond the rate of this download since it (re)started
 * @param finished       true once the file is complete and verified
 */
public record DownloadProgress(String file, long bytesDone, long bytesTotal, double bytesPerSecond, boolean finished) {

    /** A fraction in [0, 1], or NaN where the total is unknown. */
    public double fraction() {
        return bytesTotal > 0 ? Math.min(1.0, (double) bytesDone / bytesTotal) : Double.NaN;
    }

    /** The log form: {@code model.safetensors: 120.5/440.5 MB (35.2 MB/s)}. */
    @Override
    public String toString() {
        String total = bytesTotal >= 0 ? String.format("%.1f", bytesTotal / 1e6) : "?";
        return String.format("%s: %.1f/%s MB (%.1f MB/s)", file, bytesDone / 1e6, total, bytesPerSecond / 1e6);
    }
}
