package dev.finetune.operator;

import dev.finetune.api.FineTuneJob;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** FineTuneJobs for tests: the tutorial job of examples/mrpc.yaml under another name. */
final class Jobs {
    private Jobs() {}

    static FineTuneJob mrpc(String name) {
        try {
            FineTuneJob job = TrainerConfig.fromYaml(Files.readString(Path.of("examples", "mrpc.yaml")));
            job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(MockCluster.NS).withGeneration(1L).build());
            job.setStatus(null);
            return job;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
