package dev.finetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model-step benchmark's per-op table: self time is an op's duration less its children's, per thread. */
class OpProfileTest {
    @Test
    void selfTimeSubtractsNestedOpsPerThread() throws Exception {
        // thread 1: linear [0,100) > addmm [10,90) > resolve_conj [20,30); then add [100,110).
        // thread 2 (autograd): AddmmBackward0 [0,50) > mm [5,45), overlapping thread 1's times without nesting in them.
        String trace = "[" + event("aten::linear", 1, 0, 100) + "," + event("aten::addmm", 1, 10, 80) + ","
                + event("aten::resolve_conj", 1, 20, 10) + "," + event("aten::add", 1, 100, 10) + ","
                + event("AddmmBackward0", 2, 0, 50) + "," + event("aten::mm", 2, 5, 40) + ","
                + "{\"name\":\"meta\",\"ph\":\"M\",\"tid\":1,\"ts\":0,\"dur\":1000}]";
        List<OpProfile.Row> rows = OpProfile.selfTimes(new ObjectMapper().readTree(trace));

        assertEquals("aten::addmm", rows.get(0).name());
        assertEquals(70e-6, self(rows, "aten::addmm"), 1e-12);
        assertEquals(40e-6, self(rows, "aten::mm"), 1e-12);
        assertEquals(20e-6, self(rows, "aten::linear"), 1e-12);
        assertEquals(10e-6, self(rows, "AddmmBackward0"), 1e-12);
        assertEquals(10e-6, self(rows, "aten::add"), 1e-12);
        assertEquals(10e-6, self(rows, "aten::resolve_conj"), 1e-12);
        assertEquals(6, rows.size(), "the metadata event is not an op");
    }

    private static double self(List<OpProfile.Row> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().selfSeconds();
    }

    private static String event(String name, int tid, double ts, double dur) {
        return String.format("{\"name\":\"%s\",\"ph\":\"X\",\"tid\":%d,\"ts\":%.1f,\"dur\":%.1f,\"pid\":\"CPU Functions\"}",
                name, tid, ts, dur);
    }
}
