package dev.finetune.operator;

import static dev.finetune.operator.MockCluster.NS;
import static dev.finetune.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.api.CrdSchema;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.Phase;
import dev.finetune.api.TrainerReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `kubectl get ftj` as a cluster would print it: the CRD's printer columns evaluated on statuses the
 * operator wrote while it ran jobs on the mock API server.
 */
class KubectlTableTest {
    @Test
    void printerColumnsShowPhaseProgressEpochLossAndAccuracy() throws Exception {
        try (MockCluster cluster = new MockCluster().startOperator()) {
            cluster.create(Jobs.mrpc("bert-mrpc"));
            cluster.create(Jobs.mrpc("bert-mrpc-done"));
            FineTuneJob bad = Jobs.mrpc("bert-mrpc-bad");
            bad.getSpec().dataset.evalSplit = null;
            cluster.create(bad);
            cluster.create(Jobs.mrpc("bert-mrpc-queued"));

            await("Jobs", Duration.ofSeconds(15), () -> cluster.job("bert-mrpc") != null && cluster.job("bert-mrpc-done") != null);
            cluster.report = FineTuneJobOperatorTest.report("Training", 612, 1377, 1.33, 0.3817, 0.8456, "checkpoint-500");
            cluster.runPod("bert-mrpc", "bert-mrpc-x7k2p");
            TrainerReport last = FineTuneJobOperatorTest.report("Done", 1377, 1377, 3.0, 0.1874, 0.8725, "checkpoint-1377");
            cluster.runPod("bert-mrpc-done", "bert-mrpc-done-q9z4m");
            cluster.endPod("bert-mrpc-done-q9z4m", 0, cluster.reportJson(last));
            cluster.setJobStatus("bert-mrpc-done", 0, "Complete", "CompletionsReached");
            await("all phases", Duration.ofSeconds(15), () ->
                    cluster.get("bert-mrpc").getStatus().progress != null
                    && cluster.get("bert-mrpc-done").getStatus().phase == Phase.Succeeded
                    && cluster.get("bert-mrpc-bad").getStatus().phase == Phase.Failed
                    && cluster.get("bert-mrpc-queued").getStatus().phase == Phase.Pending);

            List<JsonNode> items = new ArrayList<>();
            for (FineTuneJob job : cluster.client.resources(FineTuneJob.class).inNamespace(NS).list().getItems()) {
                items.add(MockCluster.JSON.valueToTree(job));
            }
            String table = render(items, Instant.now().plusSeconds(95));
            System.out.println("$ kubectl get ftj\n" + table);
            assertEquals(List.of("NAME", "PHASE", "PROGRESS", "EPOCH", "LOSS", "ACCURACY", "AGE"),
                    List.of(table.lines().findFirst().orElseThrow().split("\\s+")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("bert-mrpc ") && l.contains("Running") && l.contains("44.4")
                    && l.contains("1.33") && l.contains("0.3817") && l.contains("0.8456")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("bert-mrpc-done ") && l.contains("Succeeded") && l.contains("100")
                    && l.contains("0.8725")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("bert-mrpc-bad ") && l.contains("Failed")), table);
        }
    }

    /** NAME and the printer columns, in the CRD's order, aligned as kubectl aligns them. */
    static String render(List<JsonNode> items, Instant now) throws IOException {
        return render(items, now, false);
    }

    /** As {@code kubectl get ftj}, or with {@code wide} as {@code kubectl get ftj -o wide} (priority 1 columns too). */
    static String render(List<JsonNode> items, Instant now, boolean wide) throws IOException {
        List<JsonNode> columns = new ArrayList<>();
        CrdSchema.read(CrdSchema.GENERATED).at("/spec/versions/0/additionalPrinterColumns").forEach(c -> {
            if (wide || c.path("priority").asInt(0) == 0) {
                columns.add(c);
            }
        });
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("NAME"));
        columns.forEach(c -> header.add(c.get("name").asText()));
        rows.add(header);
        for (JsonNode item : items) {
            List<String> row = new ArrayList<>(List.of(item.at("/metadata/name").asText()));
            for (JsonNode column : columns) {
                JsonNode value = item.at(column.get("jsonPath").asText().replace('.', '/'));
                row.add(format(value, column.get("type").asText(), now));
            }
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        rows.forEach(r -> { for (int i = 0; i < r.size(); i++) { widths[i] = Math.max(widths[i], r.get(i).length()); } });
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                out.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 3) + "s", row.get(i)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String format(JsonNode value, String type, Instant now) {
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        if ("date".equals(type)) {
            long seconds = Duration.between(Instant.parse(value.asText()), now).toSeconds();
            return seconds < 120 ? seconds + "s" : seconds < 7200 ? seconds / 60 + "m" : seconds / 3600 + "h";
        }
        return value.asText();
    }

    @Test
    void theWideViewShowsMultiLabelF1AndRegressionPearson() throws Exception {
        JsonNode multiLabel = MockCluster.JSON.readTree("{\"metadata\":{\"name\":\"topics\",\"creationTimestamp\":"
                + "\"2026-11-25T08:00:00Z\"},\"status\":{\"phase\":\"Succeeded\",\"metrics\":{\"trainLoss\":0.2113,"
                + "\"evalAccuracy\":0.625,\"evalF1\":0.8123,\"evalMacroF1\":0.7741}}}");
        JsonNode regression = MockCluster.JSON.readTree("{\"metadata\":{\"name\":\"stsb\",\"creationTimestamp\":"
                + "\"2026-11-25T08:00:00Z\"},\"status\":{\"phase\":\"Succeeded\",\"metrics\":{\"trainLoss\":0.5521,"
                + "\"evalPearson\":0.8712,\"evalSpearmanr\":0.8693}}}");
        Instant now = Instant.parse("2026-11-25T08:05:00Z");

        String table = render(List.of(multiLabel, regression), now);
        assertEquals(List.of("NAME", "PHASE", "PROGRESS", "EPOCH", "LOSS", "ACCURACY", "AGE"),
                List.of(table.lines().findFirst().orElseThrow().split("\\s+")), table);
        String wide = render(List.of(multiLabel, regression), now, true);
        System.out.println("$ kubectl get ftj -o wide\n" + wide);
        assertEquals(List.of("NAME", "PHASE", "PROGRESS", "EPOCH", "LOSS", "ACCURACY", "F1", "PEARSON", "AGE"),
                List.of(wide.lines().findFirst().orElseThrow().split("\\s+")), wide);
        assertTrue(wide.lines().anyMatch(l -> l.startsWith("topics ") && l.contains("0.625") && l.contains("0.8123")), wide);
        assertTrue(wide.lines().anyMatch(l -> l.startsWith("stsb ") && l.contains("0.8712")), wide);
    }

    @Test
    void ageIsFormattedLikeKubectl() throws Exception {
        JsonNode item = MockCluster.JSON.readTree("{\"metadata\":{\"name\":\"x\",\"creationTimestamp\":\"2026-11-25T08:00:00Z\"}}");
        String table = render(List.of(item), Instant.parse("2026-11-25T08:05:00Z"));
        assertEquals("x", table.lines().skip(1).findFirst().orElseThrow().split("\\s+")[0]);
        assertTrue(table.contains("5m"), table);
    }
}
