package dev.finetune.trainer.model;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training step's time goes, per libtorch op: records one step with libtorch's autograd profiler (DJL's
 * {@link JniUtils#startProfile}) and sums each op's self time (its duration less that of the ops it called, per
 * thread), as {@code torch.profiler}'s "Self CPU" column does. Backward ops run on the autograd engine's thread and
 * are named after their grad function ({@code AddmmBackward0}).
 */
final class OpProfile {
    /** One op name's totals. */
    record Row(String name, long calls, double selfSeconds) {}

    private OpProfile() {}

    static void start() {
        JniUtils.startProfile(false, true, false); // with input shapes, for reading the trace
    }

    /** Stops the profiler, reads its trace and returns the rows by self time, largest first. */
    static List<Row> stop(Path trace) throws IOException {
        JniUtils.stopProfile(trace.toString());
        return selfTimes(new ObjectMapper().readTree(Files.readString(trace)));
    }

    static List<Row> selfTimes(JsonNode events) {
        Map<String, List<JsonNode>> byThread = new LinkedHashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(e);
            }
        }
        Map<String, double[]> totals = new LinkedHashMap<>(); // name -> {calls, self microseconds}
        for (List<JsonNode> thread : byThread.values()) {
            // Parents start first (and, at equal starts, last longer): a stack of open ops gives each op its parent.
            thread.sort(Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
                    .thenComparing(e -> -e.path("dur").asDouble()));
            Deque<double[]> open = new ArrayDeque<>(); // {end, index}
            double[] self = new double[thread.size()];
            for (int i = 0; i < thread.size(); i++) {
                JsonNode e = thread.get(i);
                double start = e.path("ts").asDouble();
                double dur = e.path("dur").asDouble();
                while (!open.isEmpty() && open.peek()[0] <= start) {
                    open.pop();
                }
                self[i] = dur;
                if (!open.isEmpty()) {
                    self[(int) open.peek()[1]] -= dur;
                }
                open.push(new double[] {start + dur, i});
            }
            for (int i = 0; i < thread.size(); i++) {
                double[] t = totals.computeIfAbsent(thread.get(i).path("name").asText(), n -> new double[2]);
                t[0]++;
                t[1] += self[i];
            }
        }
        List<Row> rows = new ArrayList<>();
        totals.forEach((name, t) -> rows.add(new Row(name, (long) t[0], t[1] / 1e6)));
        rows.sort(Comparator.comparingDouble(Row::selfSeconds).reversed());
        return rows;
    }

    static void print(List<Row> rows, int top) {
        double all = rows.stream().mapToDouble(Row::selfSeconds).sum();
        System.out.printf("per-op self time of one profiled step (libtorch autograd profiler), %.3f s in ops:%n", all);
        for (Row row : rows.subList(0, Math.min(top, rows.size()))) {
            System.out.printf("  %-60s %6d calls %8.1f ms %5.1f%%%n", row.name(), row.calls(), row.selfSeconds() * 1e3,
                    100 * row.selfSeconds() / all);
        }
    }
}
