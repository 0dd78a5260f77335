package dev.finetune.trainer.model;

import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What from_pretrained matched: parameters the checkpoint lacked (initialised fresh) and checkpoint tensors no
 * parameter took. Logged as transformers words it, one line each.
 */
public record WeightLoadReport(List<String> newlyInitialized, List<String> unused) {
    private static final Logger LOG = LoggerFactory.getLogger(WeightLoadReport.class);

    public WeightLoadReport {
        newlyInitialized = List.copyOf(newlyInitialized);
        unused = List.copyOf(unused);
    }

    static WeightLoadReport logged(String modelClass, Path dir, List<String> newlyInitialized, List<String> unused) {
        if (!unused.isEmpty()) {
            LOG.warn("Some weights of the model checkpoint at {} were not used when initializing {}: {}",
                    dir, modelClass, unused);
        }
        if (!newlyInitialized.isEmpty()) {
            LOG.warn("Some weights of {} were not initialized from the model checkpoint at {} and are newly initialized: {}",
                    modelClass, dir, newlyInitialized);
        }
        return new WeightLoadReport(newlyInitialized, unused);
    }
}
