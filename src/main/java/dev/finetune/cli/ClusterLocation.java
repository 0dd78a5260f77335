package dev.finetune.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the operator would find its cluster, as fabric8's client looks (an explicit master URL, $KUBECONFIG,
 * ~/.kube/config, the pod's service account), checked before the client is built: without any of them the client
 * tries https://kubernetes.default.svc for about 20 s and fails with a long stack trace that never says why.
 */
final class ClusterLocation {
    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private ClusterLocation() {}

    /** The one-line reason why no cluster can be found, or empty where the client has somewhere to go. */
    static Optional<String> problem(Map<String, String> env, Map<String, String> properties, Path home, Path serviceAccount) {
        if (isSet(properties.get("kubernetes.master")) || isSet(env.get("KUBERNETES_MASTER"))) {
            return Optional.empty();
        }
        String kubeconfig = isSet(properties.get("kubeconfig")) ? properties.get("kubeconfig") : env.get("KUBECONFIG");
        if (isSet(kubeconfig)) {
            List<String> missing = new ArrayList<>();
            for (String file : kubeconfig.split(java.io.File.pathSeparator)) {
                if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                    return Optional.empty();
                }
                missing.add(file);
            }
            return Optional.of("no cluster found: KUBECONFIG is " + kubeconfig + ", but " + String.join(", ", missing)
                    + (missing.size() == 1 ? " does" : " do") + " not exist; point KUBECONFIG at your cluster's kubeconfig"
                    + " (kubectl config view --raw > FILE)");
        }
        if (Files.isRegularFile(home.resolve(".kube").resolve("config"))) {
            return Optional.empty();
        }
        if (isSet(env.get("KUBERNETES_SERVICE_HOST")) && Files.isRegularFile(serviceAccount.resolve("token"))) {
            return Optional.empty();
        }
        return Optional.of("no cluster found: no kubeconfig (KUBECONFIG is unset and " + home.resolve(".kube").resolve("config")
                + " does not exist) and not in a pod (no KUBERNETES_SERVICE_HOST and service account token); set KUBECONFIG"
                + " to your cluster's kubeconfig, or run the operator in the cluster (helm install ./helm/finetune-operator)");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
