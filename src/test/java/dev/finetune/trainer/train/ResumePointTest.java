package dev.finetune.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.TrainingSpec;
import org.junit.jupiter.api.Test;

class ResumePointTest {
    @Test
    void jsonRoundTrip() throws Exception {
        TrainingSpec spec = new TrainingSpec();
        TrainingSteps steps = TrainingSteps.of(spec, 459);
        ResumePoint p = ResumePoint.start(spec, steps);
        p.globalStep = 500;
        p.epoch = 1;
        p.batchInEpoch = 41;
        p.trainLossSum = 123.456;
        p.lossSinceLastLog = 0.25;
        p.lastLoggedStep = 500;
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(p);
        assertTrue(json.contains("\"global_step\":500") && json.contains("\"batch_in_epoch\":41"), json);
        ResumePoint back = mapper.readValue(json, ResumePoint.class);
        assertEquals(json, mapper.writeValueAsString(back));
        back.checkResumable(spec, steps);
    }

    @Test
    void refusesAResumeUnderOtherBatching() {
        TrainingSpec spec = new TrainingSpec();
        ResumePoint p = ResumePoint.start(spec, TrainingSteps.of(spec, 459));
        TrainingSpec other = new TrainingSpec();
        other.perDeviceTrainBatchSize = 16;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.checkResumable(other, TrainingSteps.of(other, 230)));
        assertTrue(e.getMessage().contains("spec.training.perDeviceTrainBatchSize"), e.getMessage());
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> p.checkResumable(spec, TrainingSteps.of(spec, 400)));
        assertTrue(data.getMessage().contains("batches per epoch"), data.getMessage());
    }
}
