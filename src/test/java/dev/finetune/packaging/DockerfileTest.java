package dev.finetune.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.finetune.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What can be checked of the Dockerfile without a Docker engine: the targets exist, they run as the
 * non-root user the chart expects, and every file, jar entry and command they name exists in the
 * project and its build output.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path NATIVES_SCRIPT = Path.of("docker", "install-djl-natives.sh");
    private static final Pattern FROM = Pattern.compile("(?i)FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?");

    /** Stage name -> its instructions, each joined onto one line. */
    private static Map<String, List<String>> stages;
    private static String text;

    @BeforeAll
    static void parse() throws IOException {
        text = Files.readString(DOCKERFILE).replaceAll("\\\\\\n", " ");
        stages = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher from = FROM.matcher(line);
            if (from.matches()) {
                current = new ArrayList<>();
                stages.put(from.group(2) == null ? from.group(1) : from.group(2), current);
            }
            if (current != null) {
                current.add(line);
            }
        }
    }

    @Test
    void hasTheOperatorAndTrainerTargets() {
        assertTrue(stages.containsKey("operator"), "stages: " + stages.keySet());
        assertTrue(stages.containsKey("trainer"), "stages: " + stages.keySet());
    }

    @Test
    void imagesRunAsTheNonRootUserTheChartExpects() throws IOException {
        JsonNode values = new YAMLMapper().readTree(RenderedChart.CHART.resolve("values.yaml").toFile());
        String chartUid = values.at("/podSecurityContext/runAsUser").asText();
        for (String target : List.of("operator", "trainer")) {
            List<String> users = instructions(target, "USER");
            assertFalse(users.isEmpty(), target + " sets no USER, so it runs as root");
            String uid = users.get(users.size() - 1).split(":")[0];
            assertTrue(uid.matches("[1-9][0-9]*"), target + " runs as '" + uid + "': use a numeric non-zero uid");
            assertTrue(instructions(target, "RUN").stream().anyMatch(r -> r.contains("--uid " + uid)),
                    target + " runs as uid " + uid + " but creates no such user");
            assertEquals(chartUid, uid, target + " uid differs from the chart's podSecurityContext.runAsUser");
        }
    }

    @Test
    void theTrainingPodRunsAsTheTrainerImagesUser() throws Exception {
        List<String> users = instructions("trainer", "USER");
        String[] user = users.get(users.size() - 1).split(":");
        var pod = dev.finetune.operator.TrainingJobDependent.desired(dev.finetune.api.ManifestReader.read(Path.of("examples", "mrpc.yaml")),
                dev.finetune.operator.OperatorSettings.defaults()).getSpec().getTemplate().getSpec().getSecurityContext();
        assertEquals(user[0], String.valueOf(pod.getRunAsUser()), "pod runAsUser vs the trainer image's USER");
        assertEquals(user[1], String.valueOf(pod.getRunAsGroup()), "pod runAsGroup vs the trainer image's USER");
        assertEquals(user[1], String.valueOf(pod.getFsGroup()), "the volume's group is the image user's group");
        assertEquals("OnRootMismatch", pod.getFsGroupChangePolicy());
    }

    @Test
    void everyBuildContextPathExistsAndIsNotDockerignored() throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.replaceAll("/$", "")).toList();
        int copies = 0;
        for (List<String> stage : stages.values()) {
            for (String copy : stage) {
                if (!copy.startsWith("COPY ") || copy.contains("--from=")) {
                    continue;
                }
                String[] words = copy.split("\\s+");
                for (int i = 1; i < words.length - 1; i++) {
                    Path source = Path.of(words[i]);
                    assertTrue(Files.exists(source), "Dockerfile copies " + source + ", which does not exist");
                    assertFalse(ignored.contains(source.getName(0).toString()), source + " is in .dockerignore");
                    copies++;
                }
            }
        }
        assertTrue(copies >= 3, "expected pom.xml, src and the natives script to be copied");
    }

    @Test
    void theJarAndMainClassAreThoseThePomBuilds() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        XPath xpath = XPathFactory.newInstance().newXPath();
        String shade = "//*[local-name()='plugin'][*[local-name()='artifactId']='maven-shade-plugin']";
        String finalName = xpath.evaluate(shade + "//*[local-name()='finalName']", pom);
        String mainClass = xpath.evaluate(shade + "//*[local-name()='mainClass']", pom);
        assertFalse(finalName.isEmpty(), "no shade plugin finalName in pom.xml");
        assertTrue(text.contains("target/" + finalName + ".jar"), "the Dockerfile does not read target/" + finalName + ".jar");
        assertEquals(Main.class.getName(), mainClass, "the jar's Main-Class");

        for (String target : List.of("operator", "trainer")) {
            List<String> entrypoint = execForm(target, "ENTRYPOINT");
            assertEquals(List.of("java", "-jar"), entrypoint.subList(0, 2), target + " ENTRYPOINT");
            String jar = entrypoint.get(2);
            assertTrue(instructions(target, "COPY").stream().anyMatch(c -> c.endsWith(" " + jar)),
                    target + " runs " + jar + " but copies nothing there");
        }
    }

    @Test
    void commandsAreSubcommandsOfTheCli() {
        Set<String> subcommands = new CommandLine(new Main()).getSubcommands().keySet();
        assumeFalse(subcommands.isEmpty(), "dev.finetune.cli.Main has no subcommands on this branch yet");
        assertEquals(List.of("operator"), execForm("operator", "CMD"));
        assertEquals(List.of("train"), execForm("trainer", "CMD"));
        assertTrue(subcommands.containsAll(Set.of("operator", "train")), "subcommands: " + subcommands);
    }

    @Test
    void everyTrainerFlavorHasDjlNativesAndTheDefaultIsOne() throws IOException {
        String script = Files.readString(NATIVES_SCRIPT);
        assertTrue(Files.isExecutable(NATIVES_SCRIPT), NATIVES_SCRIPT + " is not executable");
        Matcher defaultFlavor = Pattern.compile("(?m)^ARG FLAVOR=(\\S+)").matcher(text);
        assertTrue(defaultFlavor.find(), "no ARG FLAVOR=default");
        assertTrue(stages.containsKey("trainer-base-" + defaultFlavor.group(1)), "no base for the default flavor");

        List<String> flavors = stages.keySet().stream()
                .filter(s -> s.startsWith("trainer-base-")).map(s -> s.substring("trainer-base-".length())).toList();
        assertTrue(flavors.contains("cpu") && flavors.stream().anyMatch(f -> f.startsWith("cu")), "flavors " + flavors);
        // The script takes the JNI bridge of each flavor from the pytorch-jni jar of the pom's DJL version.
        assertTrue(script.contains("jnilib/$classifier/$flavor/libdjl_torch.so"), "script reads no JNI bridge");
        for (String flavor : flavors) {
            assertResource("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so");
        }
        assertTrue(script.contains("pytorch/cpu/$classifier/*"), "script reads no CPU libtorch");
        assertResource("pytorch/cpu/linux-x86_64/libtorch.so");
        assertResource("native/lib/linux-x86_64/cpu/libtokenizers.so");
        assertResource("jnilib/pytorch.properties");
        assertResource("native/lib/tokenizers.properties");
        // The trainer looks for the natives where the script put them.
        Matcher install = Pattern.compile("install-djl-natives\\.sh \"\\$FLAVOR\" \\S+ (\\S+)").matcher(text);
        assertTrue(install.find(), "the build stage does not run install-djl-natives.sh");
        assertTrue(instructions("trainer", "ENV").stream().anyMatch(e -> e.contains("ENGINE_CACHE_DIR=" + install.group(1))),
                "trainer ENGINE_CACHE_DIR is not " + install.group(1));
        assertTrue(instructions("trainer", "COPY").stream().anyMatch(c -> c.contains("--from=build " + install.group(1))),
                "trainer does not copy " + install.group(1));
    }

    @Test
    void theImagesJarHasNoNativeLibrariesButKeepsWhatDjlNeedsToFindThem() {
        Matcher strip = Pattern.compile("zip -q -d (\\S+) ((?:'[^']+'\\s*)+)").matcher(text);
        assertTrue(strip.find(), "the build stage does not strip the jar");
        List<Pattern> patterns = new ArrayList<>();
        for (String glob : strip.group(2).trim().split("\\s+")) {
            patterns.add(Pattern.compile(Pattern.quote(glob.replace("'", "")).replace("*", "\\E.*\\Q")));
        }
        for (String nativeEntry : List.of("pytorch/cpu/linux-x86_64/libtorch_cpu.so", "native/lib/pytorch.properties",
                "jnilib/linux-x86_64/cu128/libdjl_torch.so", "native/lib/linux-x86_64/cpu/libtokenizers.so")) {
            assertResource(nativeEntry);
            assertTrue(patterns.stream().anyMatch(p -> p.matcher(nativeEntry).matches()), nativeEntry + " is not stripped");
        }
        for (String kept : List.of("native/lib/tokenizers.properties", "dev/finetune/cli/Main.class")) {
            assertTrue(patterns.stream().noneMatch(p -> p.matcher(kept).matches()), kept + " is stripped");
        }
    }

    private static void assertResource(String name) {
        assertNotNull(DockerfileTest.class.getClassLoader().getResource(name), name + " is not on the classpath");
    }

    private static List<String> instructions(String stage, String keyword) {
        List<String> found = new ArrayList<>();
        for (String line : stages.getOrDefault(stage, List.of())) {
            if (line.startsWith(keyword + " ")) {
                found.add(line.substring(keyword.length() + 1).strip());
            }
        }
        return found;
    }

    /** The JSON array of an exec-form ENTRYPOINT or CMD. */
    private static List<String> execForm(String stage, String keyword) {
        List<String> found = instructions(stage, keyword);
        assertEquals(1, found.size(), stage + " needs exactly one " + keyword);
        try {
            List<String> args = new ArrayList<>();
            new ObjectMapper().readTree(found.get(0)).forEach(a -> args.add(a.asText()));
            return args;
        } catch (IOException e) {
            throw new AssertionError(stage + " " + keyword + " is not in exec form: " + found.get(0), e);
        }
    }
}
