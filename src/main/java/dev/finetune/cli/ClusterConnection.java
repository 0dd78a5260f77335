package dev.finetune.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Optional;

/**
 * Asks the API server of the operator's kubeconfig for its version once, without the client's retries, before the
 * operator starts: a cluster that is down would otherwise be found only after the client's backoff (about 20 s of
 * retries) and reported as a long stack trace.
 */
final class ClusterConnection {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int REQUEST_TIMEOUT_MS = 10_000;

    private ClusterConnection() {}

    /** The one line saying why the API server of {@code config} cannot be reached, or empty where it answered. */
    static Optional<String> unreachable(Config config) {
        Config once = new ConfigBuilder(config).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(CONNECT_TIMEOUT_MS).withRequestTimeout(REQUEST_TIMEOUT_MS).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(once).build()) {
            client.getKubernetesVersion();
            return Optional.empty();
        } catch (KubernetesClientException e) {
            IOException network = network(e);
            if (e.getCode() > 0 || network == null) {
                return Optional.empty(); // it answered (401, 403, ...): the operator's own start reports that
            }
            return Optional.of("cannot reach the Kubernetes API server at " + config.getMasterUrl() + ": " + describe(network)
                    + "; is the cluster up? (exit code 75: try again when it is)");
        }
    }

    private static IOException network(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
