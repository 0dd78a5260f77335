package dev.finetune.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.ResolvedSource;
import dev.finetune.api.ResolvedSources;
import dev.finetune.api.TrainerReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pinned Hub commits travel in /progress and in the termination message, where the operator reads them. */
class ProgressReporterSourcesTest {
    @TempDir
    Path tmp;

    @Test
    void pinnedSourcesAreInTheReportAndTheTerminationMessage() throws Exception {
        ProgressReporter progress = new ProgressReporter();
        progress.sources(new ResolvedSources()); // local files only: nothing to show
        assertNull(progress.snapshot().sources);

        ResolvedSources sources = new ResolvedSources();
        sources.model = new ResolvedSource("hf://org/model", "main", "1111111111111111111111111111111111111111");
        progress.sources(sources);
        progress.stage("Done", null);
        Path log = tmp.resolve("termination-log");
        TerminationMessage.write(log, progress.snapshot());

        TrainerReport report = new ObjectMapper().readValue(Files.readString(log), TrainerReport.class);
        assertEquals("1111111111111111111111111111111111111111", report.sources.model.commit);
        assertEquals("main", report.sources.model.revision);
        assertNull(report.sources.dataset);
    }
}
