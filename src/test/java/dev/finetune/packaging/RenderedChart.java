package dev.finetune.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The chart rendered by a real Helm engine (helm-java), as YAML text and as parsed objects. */
public final class RenderedChart {
    static final Path CHART = Path.of("helm", "finetune-operator");
    static final String RELEASE = "finetune-operator";
    static final String NAMESPACE = "finetune-system";

    private static final YAMLMapper YAML = new YAMLMapper();

    final String yaml;
    final List<JsonNode> objects;

    private RenderedChart(String yaml) {
        this.yaml = yaml;
        this.objects = parse(yaml);
    }

    /** Renders with the chart's defaults. */
    public static RenderedChart withDefaults() {
        return withValues("");
    }

    /** Renders with extra values given as YAML, as `helm template -f values.yaml` would. */
    public static RenderedChart withValues(String valuesYaml) {
        Path values = null;
        try {
            values = Files.createTempFile("values", ".yaml");
            Files.writeString(values, valuesYaml);
            String out = new Helm(CHART).template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withValuesFile(values)
                    .call();
            return new RenderedChart(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (values != null) {
                values.toFile().delete();
            }
        }
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readValues(YAML.createParser(yaml), JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).collect(Collectors.toList());
    }

    /** The one object of this kind; fails naming what was rendered otherwise. */
    public JsonNode single(String kind) {
        List<JsonNode> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", rendered " + found.size() + " among " + kinds());
        }
        return found.get(0);
    }

    /** A Role's or ClusterRole's rules as "group/resource" -> verbs (core group ""). */
    public static Map<String, Set<String>> rules(JsonNode role) {
        Map<String, Set<String>> rules = new LinkedHashMap<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    Set<String> verbs = new TreeSet<>();
                    rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                    String key = group.asText() + "/" + resource.asText();
                    if (rules.put(key, verbs) != null) {
                        throw new AssertionError(key + " granted twice in " + role.at("/metadata/name"));
                    }
                }
            }
        }
        return rules;
    }

    List<String> kinds() {
        return objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
                .collect(Collectors.toList());
    }
}
