package dev.finetune.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Generates the FineTuneJob CRD into the folder given as the first argument (the build runs it in
 * process-test-classes, before the tests that compare crds/, the chart's copy and deploy/ with it).
 * fabric8's generator sorts printer columns by JSON path; kubectl prints them in the CRD's order, so they
 * are put back in the order FineTuneJob declares them (PHASE, PROGRESS, EPOCH, LOSS, ACCURACY, AGE).
 */
public final class CrdGeneration {
    private CrdGeneration() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CrdGeneration OUTPUT_DIR");
        }
        File output = new File(args[0]);
        if (!output.isDirectory() && !output.mkdirs()) {
            throw new IllegalStateException("cannot create " + output);
        }
        int written = new CRDGenerator()
                .customResourceClasses(FineTuneJob.class)
                .forCRDVersions("v1")
                .withPostProcessor(new DeclaredColumnOrder())
                .inOutputDir(output)
                .generate();
        if (written != 1) {
            throw new IllegalStateException("expected one CRD, the generator wrote " + written);
        }
    }

    /** Orders each version's additionalPrinterColumns as the @AdditionalPrinterColumn annotations are declared. */
    static final class DeclaredColumnOrder implements CRDPostProcessor {
        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            List<String> declared = Arrays.stream(FineTuneJob.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name).toList();
            for (CustomResourceDefinitionVersion version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
                List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
                if (columns != null) {
                    columns.sort(Comparator.comparingInt(c -> declaredIndex(declared, c.getName())));
                }
            }
            return crd;
        }

        private static int declaredIndex(List<String> declared, String name) {
            int index = declared.indexOf(name);
            if (index < 0) {
                throw new IllegalStateException("printer column " + name + " is not declared on FineTuneJob");
            }
            return index;
        }
    }
}
