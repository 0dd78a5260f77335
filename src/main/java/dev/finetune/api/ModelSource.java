package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Hugging Face-format model: config.json, model.safetensors and tokenizer files. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSource {
    @Required
    @Pattern("^((hf|https|file|pvc)://.+|[^:/][^:]*)$")
    @JsonPropertyDescription("hf://ORG/NAME, https://..., file:///abs/path, pvc://relative/path, or a relative path (on the job's volume in a pod; beside the manifest with `run`).")
    public String uri;

    @JsonPropertyDescription("Hub revision (branch, tag or commit) for hf:// URIs. The commit resolved at the first start"
            + " is used again by every retry and resume (status.sources.model).")
    @Default("main")
    public String revision = "main";

    @JsonPropertyDescription("pretrained: load model.safetensors; random: only config.json is read and the weights"
            + " are initialised from the seed (transformers' from_config), e.g. for a smoke test.")
    @Default("pretrained")
    @Pattern("^(pretrained|random)$")
    public String initialization = "pretrained";

    @JsonPropertyDescription("Secret key holding a Hugging Face token, for gated or private models.")
    public SecretKeyRef tokenSecretRef;
}
