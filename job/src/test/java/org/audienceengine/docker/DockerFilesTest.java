package org.audienceengine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * No Docker engine runs here, so docker/ is checked for what can go wrong without one: files
 * that parse, files they name that exist, and ports, image tags and jar paths that agree with
 * conf/flink/config.yaml and the build.
 */
class DockerFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void composeHasEveryServiceAndItsFilesExist() throws IOException {
        JsonNode services = YAML.readTree(DOCKER.resolve("docker-compose.yml").toFile()).path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("jobmanager", "taskmanager", "kafka", "partner-sim", "submitter", "prometheus");
        for (JsonNode service : services) {
            JsonNode build = service.path("build");
            if (!build.isMissingNode()) {
                Path context = DOCKER.resolve(build.path("context").asText());
                assertThat(context.resolve(build.path("dockerfile").asText())).isRegularFile();
            }
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(DOCKER.resolve(source)).as("volume source %s", source).exists();
                }
            }
        }
    }

    @Test
    void portsAgreeWithTheFlinkConfiguration() throws IOException {
        JsonNode flink = YAML.readTree(ROOT.resolve("conf/flink/config.yaml").toFile());
        int restPort = flink.path("rest").path("port").asInt();
        String reporterPorts = flink.path("metrics.reporter.prom").path("port").asText();
        assertThat(reporterPorts).matches("\\d+-\\d+");
        int prometheusPort = Integer.parseInt(reporterPorts.split("-")[0]);

        JsonNode services = YAML.readTree(DOCKER.resolve("docker-compose.yml").toFile()).path("services");
        assertThat(services.path("jobmanager").path("ports").get(0).asText()).isEqualTo(restPort + ":" + restPort);
        assertThat(services.path("submitter").path("command").toString()).contains("jobmanager:" + restPort);
        JsonNode scrape = YAML.readTree(DOCKER.resolve("prometheus.yml").toFile()).path("scrape_configs").get(0);
        assertThat(scrape.path("dns_sd_configs").get(0).path("port").asInt()).isEqualTo(prometheusPort);
    }

    @Test
    void theImageRunsTheFlinkVersionAndJarTheBuildMakes() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher version = Pattern.compile("<flink.version>(\\d+\\.\\d+)\\.\\d+</flink.version>").matcher(pom);
        assertThat(version.find()).isTrue();
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        List<String> froms = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms.get(froms.size() - 1)).isEqualTo("FROM flink:" + version.group(1) + "-java17");
        assertThat(dockerfile).contains("/engine/job/target/audience-engine-0.1.0-SNAPSHOT-flink-job.jar");
        for (String line : dockerfile.lines().filter(l -> l.startsWith("COPY ") && !l.contains("--from")).toList()) {
            String[] parts = line.split("\\s+");
            for (int i = 1; i < parts.length - 1; i++) {
                assertThat(ROOT.resolve(parts[i])).as("COPY source %s", parts[i]).exists();
            }
        }
        String jarInImage = "/opt/flink/usrlib/audience-engine-flink-job.jar";
        assertThat(dockerfile).contains(jarInImage);
        assertThat(Files.readString(DOCKER.resolve("docker-compose.yml"))).contains(jarInImage);
    }

    @Test
    void theGrafanaDashboardParsesAndQueriesEngineMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/audience-engine.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThan(3);
        assertThat(dashboard.toString()).contains("operator_audience_size", "operator_batchesIn");
    }
}
