package dev.finetune.trainer.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the final report where Kubernetes picks it up as the container's termination message, so the
 * operator has the final metrics even after the pod is gone from the network.
 */
public final class TerminationMessage {
    /** Kubernetes keeps at most 4096 bytes of a termination message. */
    static final int LIMIT_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TerminationMessage() {}

    public static void write(Path file, TrainerReport report) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(report);
        if (bytes.length > LIMIT_BYTES && report.message != null) {
            report.message = truncate(report.message, report.message.length() - (bytes.length - LIMIT_BYTES) - 3);
            bytes = JSON.writeValueAsBytes(report);
        }
        Files.write(file, bytes);
    }

    private static String truncate(String message, int length) {
        return length <= 0 ? "" : message.substring(0, length) + "...";
    }
}
