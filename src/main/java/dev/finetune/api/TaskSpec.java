package dev.finetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The learning problem: which columns are read and how many labels there are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TaskSpec {
    @JsonPropertyDescription("Task type: SequenceClassification (one output per row: single-label, multi-label or regression)"
            + " or TokenClassification (one tag per word, e.g. NER: tokensField and tagsField, labelNames the tag set).")
    @Default("SequenceClassification")
    @Pattern("^(SequenceClassification|TokenClassification)$")
    public String type = "SequenceClassification";

    @JsonPropertyDescription("As transformers' problem_type: single_label_classification, multi_label_classification or"
            + " regression. Unset: the model's config.json problem_type when it has one that fits numLabels (as"
            + " from_pretrained keeps it), else regression when numLabels is 1, else single_label_classification.")
    @Pattern("^(single_label_classification|multi_label_classification|regression)$")
    public String problemType;

    @JsonPropertyDescription("Number of classes (or of regression outputs: 1 for a single score).")
    @Min(1)
    @Default("2")
    public Integer numLabels = 2;

    @JsonPropertyDescription("One column (single sentences) or two (sentence pairs).")
    @Size(min = 1, max = 2)
    public List<String> textFields = new ArrayList<>(List.of("sentence1", "sentence2"));

    @JsonPropertyDescription("Column holding the label: a class id or a name of labelNames (single-label), a list of them"
            + " (multi-label), a number or a list of numLabels numbers (regression).")
    @Default("label")
    public String labelField = "label";

    @JsonPropertyDescription("TokenClassification: column holding each row's words, a list of strings (tokenised as"
            + " is_split_into_words=True), as the HF datasets' conll2003 column.")
    @Default("tokens")
    public String tokensField = "tokens";

    @JsonPropertyDescription("TokenClassification: column holding each row's tags, one per word: tag names of labelNames"
            + " (IOB2, e.g. B-PER, I-PER, O) or their ids. Only the first sub-token of a word is labelled (label_all_tokens=False)."
            + " Pre-tokenised rows (input_ids) give one label per token here instead, -100 where none.")
    @Default("ner_tags")
    public String tagsField = "ner_tags";

    @JsonPropertyDescription("Label names by id, e.g. [not_equivalent, equivalent]; written to config.json as id2label."
            + " Required for TokenClassification: the tag set, whose IOB2 names (B-X, I-X, O) give the entities scored.")
    public List<String> labelNames;

    @JsonPropertyDescription("Longest tokenised input; longer pairs are truncated longest_first.")
    @Min(8)
    @Max(8192)
    @Default("128")
    public Integer maxLength = 128;
}
