package org.audienceengine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.audienceengine.config.TimeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the job jar's entry point accepts and refuses before any job is submitted. */
class ClusterEntryPointTest {
    private static final String AUDIENCES = "../conf/audiences.json";

    @TempDir
    Path dir;

    @Test
    void fileThenOverrides() throws Exception {
        Path yaml = dir.resolve("engine.yaml");
        Files.writeString(yaml, "time.mode: event\naudiences.file: " + AUDIENCES + "\ntopics.events: in\n");
        ClusterEntryPoint.Prepared p = ClusterEntryPoint.prepare(new String[] {
            "--config", yaml.toString(), "--topics.events", "batches", "--kafka.bootstrap-servers=k1:9092"});
        assertThat(p.config().timeMode()).isEqualTo(TimeMode.EVENT);
        assertThat(p.config().eventsTopic()).isEqualTo("batches");
        assertThat(p.config().bootstrapServers()).isEqualTo("k1:9092");
        assertThat(p.audiences().inEvaluationOrder()).isNotEmpty();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"run"}))
                .isInstanceOfSatisfying(ClusterEntryPoint.StartFailure.class, f -> assertThat(f.usage).isTrue());
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"--time.mode"}))
                .hasMessageContaining("--time.mode needs a value");
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"--audiences.file", AUDIENCES, "--no.such", "x"}))
                .isInstanceOfSatisfying(ClusterEntryPoint.StartFailure.class, f -> {
                    assertThat(f.usage).isTrue();
                    assertThat(f.getMessage()).contains("no.such: unknown setting");
                });
    }

    @Test
    void invalidSettingsNameTheFileAndKey() throws IOException {
        Path yaml = dir.resolve("engine.yaml");
        Files.writeString(yaml, "profile.lifetime: forever\n");
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"--config", yaml.toString()}))
                .hasMessageContaining(yaml + ": invalid settings")
                .hasMessageContaining("profile.lifetime: 'forever' is not a duration");
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"--config", dir.resolve("none.yaml").toString()}))
                .hasMessageContaining("none.yaml: no such file");
    }

    @Test
    void invalidAudiencesNeverStartAJob() throws IOException {
        Path audiences = dir.resolve("audiences.json");
        Files.writeString(audiences, "{\"audiences\": [{\"id\": \"x\"}]}");
        assertThatThrownBy(() -> ClusterEntryPoint.prepare(new String[] {"--audiences.file", audiences.toString()}))
                .isInstanceOfSatisfying(ClusterEntryPoint.StartFailure.class, f -> {
                    assertThat(f.usage).isFalse();
                    assertThat(f.getMessage()).contains("invalid audience definitions").contains("audiences[0].id");
                });
    }

    @Test
    void mainThrowsInsteadOfExiting() {
        // Under the REST API main runs inside the JobManager: System.exit would stop it.
        assertThatThrownBy(() -> ClusterEntryPoint.main(new String[] {"--audiences.file", dir.resolve("x.json").toString()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.json: no such file");
    }
}
