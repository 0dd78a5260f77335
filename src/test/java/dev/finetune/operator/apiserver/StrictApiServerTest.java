package dev.finetune.operator.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finetune.api.CrdSchema;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each rule of the strict API-server double biting, through a plain fabric8 client (no retries). */
class StrictApiServerTest {
    private static final String NS = "ml";
    private static final ResourceDefinitionContext FTJ = new ResourceDefinitionContext.Builder()
            .withGroup("finetune.dev").withVersion("v1alpha1").withPlural("finetunejobs").withKind("FineTuneJob").withNamespaced(true).build();

    StrictApiServer strict;
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() throws Exception {
        strict = new StrictApiServer();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), strict, false);
        server.init();
        // No client-side retries: each answer of the server is seen as it is.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                .withRequestRetryBackoffLimit(0).withRequestTimeout(2_000).build()).build();
        CustomResourceDefinition crd = client.getKubernetesSerialization()
                .unmarshal(Files.readString(CrdSchema.GENERATED), CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    // ---- FineTuneJob: the CRD's structural schema ----

    private GenericKubernetesResource ftj(String name) throws Exception {
        String yaml = Files.readString(java.nio.file.Path.of("examples", "mrpc.yaml"));
        GenericKubernetesResource job = client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        job.getMetadata().setName(name);
        job.getMetadata().setNamespace(NS);
        return job;
    }

    private static int code(Runnable request) {
        return assertThrows(KubernetesClientException.class, request::run).getCode();
    }

    @Test
    void aNaNStringInANumberFieldOfStatusIs422() throws Exception {
        client.genericKubernetesResources(FTJ).inNamespace(NS).resource(ftj("nan")).create();
        var ftj = client.genericKubernetesResources(FTJ).inNamespace(NS).withName("nan");
        assertEquals(422, code(() -> ftj.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"metrics\":{\"trainLoss\":\"NaN\"}}}")));
        ftj.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"metrics\":{\"trainLoss\":0.5}}}");
        assertEquals(0.5, ((Map<?, ?>) ((Map<?, ?>) ftj.get().getAdditionalProperties().get("status")).get("metrics")).get("trainLoss"));
    }

    @Test
    void specFieldsAreValidatedOnCreateAndPatch() throws Exception {
        GenericKubernetesResource bad = ftj("bad");
        ((Map<String, Object>) ((Map<String, Object>) bad.getAdditionalProperties().get("spec")).get("training")).put("learningRate", -1.0);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.genericKubernetesResources(FTJ).inNamespace(NS).resource(bad).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getMessage().contains("spec.training.learningRate"), e.getMessage());
        client.genericKubernetesResources(FTJ).inNamespace(NS).resource(ftj("good")).create();
        var good = client.genericKubernetesResources(FTJ).inNamespace(NS).withName("good");
        // a pattern (the initialization enum is a pattern), a type and a required field
        assertEquals(422, code(() -> good.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"model\":{\"initialization\":\"zeros\"}}}")));
        assertEquals(422, code(() -> good.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"backoffLimit\":\"three\"}}")));
        assertEquals(422, code(() -> good.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"model\":null}}")));
    }

    @Test
    void unknownFieldsArePrunedAndGenerationCountsSpecChanges() throws Exception {
        GenericKubernetesResource job = ftj("prune");
        ((Map<String, Object>) job.getAdditionalProperties().get("spec")).put("notAField", "x");
        var created = client.genericKubernetesResources(FTJ).inNamespace(NS).resource(job).create();
        assertFalse(((Map<?, ?>) created.getAdditionalProperties().get("spec")).containsKey("notAField"));
        assertEquals(1L, created.getMetadata().getGeneration());
        var ftj = client.genericKubernetesResources(FTJ).inNamespace(NS).withName("prune");
        ftj.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"backoffLimit\":4}}");
        assertEquals(2L, ftj.get().getMetadata().getGeneration());
        // /status ignores spec; the main resource ignores status; neither moves generation
        ftj.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"backoffLimit\":9},\"status\":{\"phase\":\"Pending\"}}");
        ftj.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Failed\"}}");
        var after = ftj.get();
        assertEquals(4, ((Map<?, ?>) after.getAdditionalProperties().get("spec")).get("backoffLimit"));
        assertEquals("Pending", ((Map<?, ?>) after.getAdditionalProperties().get("status")).get("phase"));
        assertEquals(2L, after.getMetadata().getGeneration());
    }

    // ---- batch/v1 Job ----

    private Job job(String name) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", "t").endMetadata().withNewSpec()
                    .withRestartPolicy("Never")
                    .addNewContainer().withName("c").withImage("example.com/t:1")
                        .addNewPort().withContainerPort(8080).endPort()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8080).endHttpGet().endReadinessProbe()
                        .withNewResources().addToRequests("memory", new Quantity("2048Mi")).addToRequests("cpu", new Quantity("0.5"))
                            .addToLimits("cpu", new Quantity("2000m")).endResources()
                    .endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    @Test
    void aJobIsDefaultedAsTheApiServerDoes() {
        Job job = client.batch().v1().jobs().inNamespace(NS).resource(job("d")).create();
        String uid = job.getMetadata().getUid();
        var spec = job.getSpec();
        assertEquals(Map.of("batch.kubernetes.io/controller-uid", uid), spec.getSelector().getMatchLabels());
        assertEquals(Map.of("app", "t", "controller-uid", uid, "batch.kubernetes.io/controller-uid", uid,
                "job-name", "d", "batch.kubernetes.io/job-name", "d"), spec.getTemplate().getMetadata().getLabels());
        assertEquals(spec.getTemplate().getMetadata().getLabels(), job.getMetadata().getLabels(), "a Job without labels takes its template's");
        assertEquals(1, spec.getCompletions());
        assertEquals(1, spec.getParallelism());
        assertEquals("NonIndexed", spec.getCompletionMode());
        assertEquals(6, spec.getBackoffLimit());
        assertEquals("TerminatingOrFailed", spec.getPodReplacementPolicy());
        assertFalse(spec.getSuspend());
        var pod = spec.getTemplate().getSpec();
        assertEquals("ClusterFirst", pod.getDnsPolicy());
        assertEquals("default-scheduler", pod.getSchedulerName());
        assertEquals(30L, pod.getTerminationGracePeriodSeconds());
        assertNotNull(pod.getSecurityContext());
        var c = pod.getContainers().get(0);
        assertEquals("/dev/termination-log", c.getTerminationMessagePath());
        assertEquals("File", c.getTerminationMessagePolicy());
        assertEquals("IfNotPresent", c.getImagePullPolicy());
        assertEquals("TCP", c.getPorts().get(0).getProtocol());
        assertEquals(List.of(1, 10, 1, 3), List.of(c.getReadinessProbe().getTimeoutSeconds(), c.getReadinessProbe().getPeriodSeconds(),
                c.getReadinessProbe().getSuccessThreshold(), c.getReadinessProbe().getFailureThreshold()));
        assertEquals("HTTP", c.getReadinessProbe().getHttpGet().getScheme());
        // quantities are stored in canonical form
        assertEquals("2Gi", c.getResources().getRequests().get("memory").toString());
        assertEquals("500m", c.getResources().getRequests().get("cpu").toString());
        assertEquals("2", c.getResources().getLimits().get("cpu").toString());
    }

    @Test
    void aJobsSelectorTemplateAndCompletionsAreImmutable() {
        Job created = client.batch().v1().jobs().inNamespace(NS).resource(job("imm")).create();
        var jobs = client.batch().v1().jobs().inNamespace(NS).withName("imm");
        // JOSDK's non-SSA update: the desired spec (no selector, no controller-uid label) over the live Job
        Job replace = job("imm");
        replace.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> client.batch().v1().jobs().inNamespace(NS).resource(replace).update());
        assertEquals(422, e.getCode());
        assertTrue(e.getMessage().contains("spec.selector") && e.getMessage().contains("spec.template"), e.getMessage());
        assertEquals(422, code(() -> jobs.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"completions\":2}}")));
        assertEquals(422, code(() -> jobs.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"completionMode\":\"Indexed\"}}")));
        assertEquals(422, code(() -> jobs.patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"pool\":\"gpu\"}}}}}")), "a running Job's scheduling is fixed");
        // suspend, backoffLimit and ttl may change
        jobs.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true,\"backoffLimit\":2}}");
        assertTrue(jobs.get().getSpec().getSuspend());
        // a suspended Job that never started may get new scheduling directives (what Kueue does on admission)
        jobs.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"pool\":\"gpu\"}}}}}");
        assertEquals(Map.of("pool", "gpu"), jobs.get().getSpec().getTemplate().getSpec().getNodeSelector());
        assertEquals(422, code(() -> jobs.patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"other:2\"}]}}}}")), "but not new containers");
    }

    @Test
    void aStaleResourceVersionIs409() {
        ConfigMap created = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("cm").endMetadata()
                .addToData("a", "1").build()).create();
        client.configMaps().inNamespace(NS).withName("cm").edit(cm -> new ConfigMapBuilder(cm).addToData("a", "2").build());
        created.getData().put("a", "3");
        assertEquals(409, code(() -> client.configMaps().inNamespace(NS).resource(created).update()));
        assertEquals("2", client.configMaps().inNamespace(NS).withName("cm").get().getData().get("a"));
    }

    // ---- Service and PersistentVolumeClaim ----

    @Test
    void aServiceGetsItsDefaultsAndKeepsItsClusterIp() {
        Service service = client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("s").endMetadata()
                .withNewSpec().addToSelector("app", "t").addNewPort().withName("m").withPort(8080).endPort().endSpec().build()).create();
        var spec = service.getSpec();
        assertNotNull(spec.getClusterIP());
        assertEquals(List.of(spec.getClusterIP()), spec.getClusterIPs());
        assertEquals("ClusterIP", spec.getType());
        assertEquals("None", spec.getSessionAffinity());
        assertEquals(List.of("IPv4"), spec.getIpFamilies());
        assertEquals("SingleStack", spec.getIpFamilyPolicy());
        assertEquals("Cluster", spec.getInternalTrafficPolicy());
        assertEquals("TCP", spec.getPorts().get(0).getProtocol());
        assertEquals(8080, spec.getPorts().get(0).getTargetPort().getIntVal());
        // a replace without clusterIP keeps it; another clusterIP is refused
        Service replace = new ServiceBuilder(service).editSpec().withClusterIP(null).withClusterIPs().endSpec().build();
        assertEquals(spec.getClusterIP(), client.services().inNamespace(NS).resource(replace).update().getSpec().getClusterIP());
        assertEquals(422, code(() -> client.services().inNamespace(NS).withName("s").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"clusterIP\":\"10.0.0.99\",\"clusterIPs\":[\"10.0.0.99\"]}}")));
    }

    @Test
    void aClaimsSpecIsImmutableButItsStorageMayGrow() {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("w").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1024Gi")).endResources().endSpec().build()).create();
        assertEquals("1Ti", claim.getSpec().getResources().getRequests().get("storage").toString());
        assertEquals("Filesystem", claim.getSpec().getVolumeMode());
        assertEquals("Pending", claim.getStatus().getPhase());
        var pvc = client.persistentVolumeClaims().inNamespace(NS).withName("w");
        pvc.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Ti\"}}}}");
        assertEquals("2Ti", pvc.get().getSpec().getResources().getRequests().get("storage").toString());
        assertEquals(422, code(() -> pvc.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}")));
        assertEquals(422, code(() -> pvc.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"accessModes\":[\"ReadWriteMany\"]}}")));
    }

    // ---- garbage collection ----

    @Test
    void deletingAnOwnerDeletesWhatOnlyItOwns() throws Exception {
        ConfigMap owner = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build()).create();
        ConfigMap other = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("other").endMetadata().build()).create();
        ConfigMap child = ownedBy("child", owner);
        ownedBy("grandchild", child);
        ownedBy("shared", owner, other);
        client.resource(owner).delete();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && client.configMaps().inNamespace(NS).withName("grandchild").get() != null) {
            Thread.sleep(20);
        }
        assertNull(client.configMaps().inNamespace(NS).withName("child").get());
        assertNull(client.configMaps().inNamespace(NS).withName("grandchild").get(), "the cascade goes down the chain");
        assertNotNull(client.configMaps().inNamespace(NS).withName("shared").get(), "an object with a live owner stays");
    }

    @Test
    void anObjectCreatedAfterItsOwnerWasDeletedIsCollectedToo() throws Exception {
        // A controller that raced its owner's deletion creates a dependent whose owner is gone.
        ConfigMap owner = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("gone").endMetadata().build()).create();
        client.resource(owner).delete();
        ownedBy("late", owner);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && client.configMaps().inNamespace(NS).withName("late").get() != null) {
            Thread.sleep(20);
        }
        assertNull(client.configMaps().inNamespace(NS).withName("late").get(), "a dangling owner reference is collected");
        ConfigMap live = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("live").endMetadata().build()).create();
        ownedBy("kept", live);
        Thread.sleep(200);
        assertNotNull(client.configMaps().inNamespace(NS).withName("kept").get(), "a live owner keeps its dependent");
    }

    private ConfigMap ownedBy(String name, ConfigMap... owners) {
        var builder = new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata();
        for (ConfigMap o : owners) {
            builder.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                    .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).build()).endMetadata();
        }
        return client.configMaps().inNamespace(NS).resource(builder.build()).create();
    }

    // ---- faults on demand ----

    @Test
    void faultsFailTheNextMatchingRequests() {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("f").endMetadata().build()).create();
        var cm = client.configMaps().inNamespace(NS).withName("f");
        strict.faults().inject("GET", "/configmaps/f", 1, Faults.internalError());
        assertEquals(500, code(cm::get));
        strict.faults().inject("GET", "/configmaps/f", 1, Faults.tooManyRequests(1));
        assertEquals(429, code(cm::get));
        strict.faults().inject("GET", "/configmaps/f", 1, Faults.droppedConnection());
        KubernetesClientException dropped = assertThrows(KubernetesClientException.class, cm::get);
        assertTrue(dropped.getCause() instanceof java.io.IOException, String.valueOf(dropped.getCause()));
        strict.faults().inject("GET", "/configmaps/f", 1, Faults.slow(Duration.ofMillis(700)));
        long start = System.nanoTime();
        assertNotNull(cm.get());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(700).toNanos());
        assertEquals(4, strict.faults().served());
        assertNotNull(cm.get(), "after the faults, answers as before");
    }

    @Test
    void quantitiesAreCanonical() {
        Map<String, String> cases = Map.of("2048Mi", "2Gi", "0.5", "500m", "1024Gi", "1Ti", "1000", "1k", "1536Mi", "1536Mi",
                "1.5Gi", "1536Mi", "512Ki", "512Ki", "0.5Ki", "512", "1500m", "1500m", "2000m", "2");
        cases.forEach((in, out) -> assertEquals(out, CanonicalQuantity.of(in), in));
        assertNotEquals("1e3", CanonicalQuantity.of("1000"));
        assertEquals("1e3", CanonicalQuantity.of("1e3"));
    }
}
