package dev.finetune.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.api.CrdSchema;
import dev.finetune.api.FineTuneJob;
import dev.finetune.api.TrainerReport;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.finetune.operator.apiserver.StrictApiServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * fabric8's mock API server in CRUD mode, made strict ({@link StrictApiServer}: it defaults, validates and
 * refuses as kube-apiserver does), with the operator really running against it, plus what it lacks: the test plays the Job controller and the kubelet (pods and their phases through updateStatus)
 * and a local HTTP server plays the trainer's /progress.
 */
final class MockCluster implements AutoCloseable {
    static final String NS = "ml";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Short, so that tests see ProgressUnavailable within seconds (production: at least 30 s). */
    static final Duration PROGRESS_UNAVAILABLE_AFTER = Duration.ofSeconds(1);
    // The mock logs every request at INFO through java.util.logging; held so the level sticks.
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** The User-Agent of the operator's own client, which tells its API requests from the test's. */
    static final String OPERATOR_AGENT = "finetune-operator-under-test";

    final KubernetesMockServer server;
    /** The API server's rules and its faults on demand. */
    final StrictApiServer apiServer;
    /** The test's client: it plays kubectl, the Job controller and the kubelet. */
    final KubernetesClient client;
    /** The operator's client. */
    final KubernetesClient operatorClient;
    final HttpServer trainer;
    private final List<HttpServer> otherTrainers = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile TrainerReport report;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OperatorSettings settings;
    Operator operator;

    MockCluster() throws IOException {
        apiServer = new AuthorizingCrudDispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), apiServer, false);
        server.init();
        client = server.createClient();
        operatorClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(OPERATOR_AGENT).build())
                .build();
        CustomResourceDefinition crd = client.getKubernetesSerialization()
                .unmarshal(Files.readString(CrdSchema.GENERATED), CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        trainer.createContext("/progress", ex -> {
            TrainerReport current = report;
            byte[] body = current == null ? new byte[0] : JSON.writeValueAsBytes(current);
            ex.sendResponseHeaders(current == null ? 503 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        trainer.start();
        settings = new OperatorSettings("example.com/trainer:test", Duration.ofMillis(200), trainer.getAddress().getPort(), Set.of(),
                null, PROGRESS_UNAVAILABLE_AFTER);
    }

    MockCluster startOperator() {
        return startOperator(settings);
    }

    MockCluster startOperator(OperatorSettings withSettings) {
        operator = OperatorBootstrap.create(operatorClient, withSettings, registry, null);
        operator.start();
        return this;
    }

    void stopOperator() {
        operator.stop();
        operator = null;
    }

    FineTuneJob create(FineTuneJob job) {
        job.getMetadata().setNamespace(NS);
        return client.resources(FineTuneJob.class).inNamespace(NS).resource(job).create();
    }

    FineTuneJob get(String name) {
        return client.resources(FineTuneJob.class).inNamespace(NS).withName(name).get();
    }

    /** Edits a FineTuneJob's spec as kubectl would (the API server bumps metadata.generation). */
    void editSpec(String name, java.util.function.Consumer<dev.finetune.api.FineTuneJobSpec> change) {
        client.resources(FineTuneJob.class).inNamespace(NS).withName(name).edit(j -> {
            change.accept(j.getSpec());
            return j;
        });
    }

    Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    }

    /** What the Job controller and the kubelet would do: a pod of the Job, running on 127.0.0.1. */
    Pod runPod(String jobName, String podName) {
        return runPod(jobName, podName, "127.0.0.1");
    }

    /**
     * A running pod at another loopback address (127.0.0.2, ...), whose /progress is what {@link #trainerAt}
     * serves there, or a closed port.
     */
    Pod runPod(String jobName, String podName, String podIp) {
        // The Job controller labels a pod with its template's labels (the server added job-name and controller-uid
        // there); without a Job (a test of the pod informer alone) the two labels that select it.
        Job owner = job(jobName);
        java.util.Map<String, String> labels = owner == null || owner.getSpec().getTemplate().getMetadata() == null
                ? java.util.Map.of(ResourceNames.JOB_LABEL, jobName, "job-name", jobName)
                : owner.getSpec().getTemplate().getMetadata().getLabels();
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata()
                    .withName(podName)
                    .withNamespace(NS)
                    .withCreationTimestamp(Instant.now().toString())
                    .addToLabels(labels)
                .endMetadata()
                .withNewSpec().addNewContainer().withName(ResourceNames.TRAINER_CONTAINER).withImage("x").endContainer().endSpec()
                .build()).create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase("Running").withPodIP(podIp).withStartTime(Instant.now().toString())
                .withContainerStatuses(new ContainerStatusBuilder().withName(ResourceNames.TRAINER_CONTAINER)
                        .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().build())
                .build());
        return client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    /** Another trainer's /progress, at the operator's trainer port on this loopback address; stopped on close. */
    HttpServer trainerAt(String ip, com.sun.net.httpserver.HttpHandler progress) throws IOException {
        HttpServer other = HttpServer.create(new InetSocketAddress(ip, trainer.getAddress().getPort()), 0);
        other.createContext("/progress", progress);
        other.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "trainer-double-" + ip);
            t.setDaemon(true);
            return t;
        }));
        other.start();
        otherTrainers.add(other);
        return other;
    }

    /** The trainer container exits; its termination message is the final report (or any text). */
    void endPod(String podName, int exitCode, String terminationMessage) {
        Pod pod = client.pods().inNamespace(NS).withName(podName).get();
        pod.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
        pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(ResourceNames.TRAINER_CONTAINER)
                .withNewState().withNewTerminated().withExitCode(exitCode).withMessage(terminationMessage)
                .withReason(exitCode == 0 ? "Completed" : "Error").endTerminated().endState().build()));
        client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    /** The Job controller's view: failed pods so far, and a final condition (Complete or Failed) or none. */
    void setJobStatus(String jobName, int failed, String condition, String reason) {
        Job job = job(jobName);
        var status = new JobStatusBuilder().withFailed(failed).withActive(condition == null ? 1 : 0);
        if (condition != null) {
            status.addToConditions(new JobConditionBuilder().withType(condition).withStatus("True").withReason(reason)
                    .withLastTransitionTime(Instant.now().toString()).build());
            if ("Complete".equals(condition)) {
                status.withSucceeded(1).withCompletionTime(Instant.now().toString());
            }
        }
        job.setStatus(status.build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    /**
     * The API requests the operator made since the last call, as "group/resource[/subresource]" -> RBAC verbs
     * (core group ""), the way an API server's authorizer sees them.
     */
    java.util.Map<String, Set<String>> operatorApiUse() throws InterruptedException {
        java.util.Map<String, Set<String>> use = new java.util.TreeMap<>();
        for (ApiRequest api : operatorRequests()) {
            use.computeIfAbsent(api.resource(), r -> new java.util.TreeSet<>()).add(api.verb());
        }
        return use;
    }

    /** The operator's API requests since the last call (of this or operatorApiUse), with their query strings. */
    List<ApiRequest> operatorRequests() throws InterruptedException {
        List<ApiRequest> requests = new java.util.ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest request;
        while ((request = server.takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if (OPERATOR_AGENT.equals(request.getHeader("User-Agent"))) {
                requests.add(ApiRequest.parse(request.getMethod(), request.getPath()));
            }
        }
        return requests;
    }

    /**
     * JOSDK's leader election first asks for a SelfSubjectRulesReview and reads the authorizer's answer from its
     * status; CRUD mode refuses the review (422: it has no metadata). This answers like a cluster whose RBAC
     * grants the operator the Lease verbs of the chart's Role.
     */
    private static final class AuthorizingCrudDispatcher extends StrictApiServer {

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleCreate(io.fabric8.mockwebserver.http.RecordedRequest request) {
            if (!request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
                return super.handleCreate(request);
            }
            var review = new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                    .withNewStatus().withIncomplete(false)
                    .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                    .withVerbs("get", "create", "update").endResourceRule()
                    .endStatus().build();
            return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(201)
                    .setBody(new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asJson(review));
        }
    }

    static void await(String what, Duration timeout, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            } catch (RuntimeException e) {
                // not there yet
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    String reportJson(TrainerReport r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (operator != null) {
            operator.stop();
        }
        trainer.stop(0);
        otherTrainers.forEach(t -> t.stop(0));
        operatorClient.close();
        client.close();
        server.destroy();
    }
}
