package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The copies that must not drift: the chart's CRD (from the build's generated CRD) and deploy/ (the chart
 * rendered with default values). Run with -Dfinetune.regenerate=true to rewrite them instead of checking.
 */
class GeneratedManifestsTest {
    static final String REGENERATE = "mvn -B test -Dtest=GeneratedManifestsTest -Dfinetune.regenerate=true";

    private static final String CRD_FILE = "finetunejobs.finetune.dev-v1.yml";
    private static final Path GENERATED_CRD = Path.of("target", "crds", CRD_FILE);
    private static final Path CHART_CRD = RenderedChart.CHART.resolve("crds").resolve(CRD_FILE);
    private static final Path DEPLOY = Path.of("deploy");
    private static final String HEADER = "# Generated from helm/finetune-operator with its default values: do not edit.\n"
            + "# Regenerate: " + REGENERATE + "\n";

    @Test
    void chartCarriesTheGeneratedCrd() throws IOException {
        checkOrWrite(CHART_CRD, generatedCrd());
    }

    private static String generatedCrd() throws IOException {
        assertTrue(Files.isRegularFile(GENERATED_CRD),
                GENERATED_CRD + " is missing: dev.finetune.api.CrdGeneration writes it in process-test-classes (mvn -B process-test-classes)");
        return Files.readString(GENERATED_CRD);
    }

    @Test
    void deployIsTheChartRenderedWithDefaults() throws IOException {
        Map<Path, String> files = deployFiles();
        for (Map.Entry<Path, String> file : files.entrySet()) {
            checkOrWrite(file.getKey(), file.getValue());
        }
        // Nothing else in deploy/ that kustomize would not apply.
        try (var listing = Files.list(DEPLOY)) {
            List<Path> present = listing.sorted().collect(Collectors.toList());
            assertEquals(files.keySet().stream().sorted().collect(Collectors.toList()), present,
                    "deploy/ holds files the generator does not write");
        }
    }

    @Test
    void deployHoldsTheNamespaceCrdRbacDeploymentAndService() throws IOException {
        List<String> kinds = deployFiles().entrySet().stream()
                .filter(f -> !f.getKey().endsWith("kustomization.yaml"))
                .flatMap(f -> RenderedChart.parse(f.getValue()).stream())
                .map(o -> o.path("kind").asText())
                .collect(Collectors.toList());
        for (String kind : List.of("Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Deployment", "Service")) {
            assertTrue(kinds.contains(kind), "deploy/ lacks a " + kind + ": " + kinds);
        }
    }

    /** What deploy/ must hold, file by file, in kustomization order. */
    static Map<Path, String> deployFiles() throws IOException {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(DEPLOY.resolve("namespace.yaml"), HEADER
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata:\n"
                + "  name: " + RenderedChart.NAMESPACE + "\n"
                + "  labels:\n"
                + "    # The operator pod meets the restricted Pod Security Standard.\n"
                + "    pod-security.kubernetes.io/enforce: restricted\n");
        files.put(DEPLOY.resolve("crd.yaml"), generatedCrd());
        files.put(DEPLOY.resolve("finetune-operator.yaml"), HEADER + RenderedChart.withDefaults().yaml);
        files.put(DEPLOY.resolve("kustomization.yaml"), HEADER
                + "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\n"
                + "resources:\n"
                + "  - namespace.yaml\n"
                + "  - crd.yaml\n"
                + "  - finetune-operator.yaml\n");
        return files;
    }

    private static void checkOrWrite(Path file, String expected) throws IOException {
        GeneratedFile.checkOrWrite(file, expected, REGENERATE);
    }
}
