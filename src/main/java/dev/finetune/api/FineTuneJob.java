package dev.finetune.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A declarative fine-tuning run: the operator turns it into a training pod and mirrors its state back. */
@Group(FineTuneJob.GROUP)
@Version(FineTuneJob.VERSION)
@Kind("FineTuneJob")
@Plural("finetunejobs")
@ShortNames("ftj")
// The columns of `kubectl get ftj`, in this order; priority 1 ones only with -o wide (F1: micro F1 for multi-label;
// PEARSON: a regression's, as STS-B is scored, whose ACCURACY stays empty).
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "PROGRESS", jsonPath = ".status.progress.percent", type = Type.NUMBER,
        getDescription = "Percent of the optimiser steps done")
@AdditionalPrinterColumn(name = "EPOCH", jsonPath = ".status.progress.epoch", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "LOSS", jsonPath = ".status.metrics.trainLoss", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "ACCURACY", jsonPath = ".status.metrics.evalAccuracy", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "F1", jsonPath = ".status.metrics.evalF1", type = Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(name = "PEARSON", jsonPath = ".status.metrics.evalPearson", type = Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class FineTuneJob extends CustomResource<FineTuneJobSpec, FineTuneJobStatus> implements Namespaced {
    public static final String GROUP = "finetune.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected FineTuneJobSpec initSpec() {
        return new FineTuneJobSpec();
    }

    @Override
    protected FineTuneJobStatus initStatus() {
        return new FineTuneJobStatus();
    }
}
