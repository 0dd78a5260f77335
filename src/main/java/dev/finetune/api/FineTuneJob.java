package dev.finetune.api;

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
