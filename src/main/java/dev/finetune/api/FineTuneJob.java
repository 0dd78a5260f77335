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
// The columns of `kubectl get ftj`, in this order.
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "PROGRESS", jsonPath = ".status.progress.percent", type = Type.NUMBER,
        getDescription = "Percent of the optimiser steps done")
@AdditionalPrinterColumn(name = "EPOCH", jsonPath = ".status.progress.epoch", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "LOSS", jsonPath = ".status.metrics.trainLoss", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "ACCURACY", jsonPath = ".status.metrics.evalAccuracy", type = Type.NUMBER)
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
