package org.audienceengine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

class EngineConfigTest {

    @Test
    void defaultsAreThoseOfTheSpecs() {
        EngineConfig c = EngineConfig.defaults();
        assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.eventsTopic()).isEqualTo("events");
        assertThat(c.deltasTopic()).isEqualTo("audience-deltas");
        assertThat(c.deadLettersTopic()).isEqualTo("events-dlq");
        assertThat(c.definitionsTopic()).isEqualTo("audience-definitions");
        assertThat(c.dsrRequestsTopic()).isEqualTo("dsr-requests");
        assertThat(c.dsrCompletionsTopic()).isEqualTo("dsr-completions");
        assertThat(c.checkpointIntervalMs()).isEqualTo(10_000);
        assertThat(c.stateBackend()).isEqualTo("rocksdb");
        assertThat(c.parallelism()).isEmpty();
        assertThat(c.maxParallelism()).isEqualTo(128);
        assertThat(c.timeMode()).isEqualTo(TimeMode.PROCESSING);
        assertThat(c.profileLifetimeMs()).isEqualTo(90L * 86_400_000L);
        assertThat(c.audiencesFile()).isEqualTo(Path.of("conf/audiences.json"));
        assertThat(c.connectionsFile()).isEmpty();
        assertThat(c.transactionTimeoutMs()).isEqualTo(600_000);
        assertThat(c.kafkaProperties()).isEmpty();
    }

    @Test
    void shippedFileHasEveryKeyAtItsDefault() throws IOException {
        Path shipped = Path.of("../conf/engine.yaml");
        EngineConfig c = EngineConfig.load(shipped);
        String text = Files.readString(shipped);
        for (Map.Entry<String, String> e : EngineConfig.defaultValues().entrySet()) {
            assertThat(text).as("documents %s", e.getKey()).contains(e.getKey() + ":");
            assertThat(c.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void yamlValuesFlatOrNested() {
        EngineConfig c = EngineConfig.fromYaml("""
                kafka:
                  bootstrap-servers: broker-1:9092,broker-2:9092
                  properties:
                    security.protocol: SASL_SSL
                topics.events: batches
                checkpoint:
                  interval: 30s
                  dir: s3://bucket/checkpoints
                time.mode: event
                profile.lifetime: 30d
                parallelism: 4
                max-parallelism: 256
                state.backend: hashmap
                connections.file: conf/connections.json
                """);
        assertThat(c.bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(c.kafkaProperties()).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        assertThat(c.eventsTopic()).isEqualTo("batches");
        assertThat(c.deltasTopic()).isEqualTo("audience-deltas");
        assertThat(c.checkpointIntervalMs()).isEqualTo(30_000);
        assertThat(c.checkpointDir()).isEqualTo("s3://bucket/checkpoints");
        assertThat(c.timeMode()).isEqualTo(TimeMode.EVENT);
        assertThat(c.profileLifetimeMs()).isEqualTo(30L * 86_400_000L);
        assertThat(c.parallelism()).isEqualTo(Optional.of(4));
        assertThat(c.maxParallelism()).isEqualTo(256);
        assertThat(c.stateBackend()).isEqualTo("hashmap");
        assertThat(c.connectionsFile()).contains(Path.of("conf/connections.json"));
    }

    @Test
    void emptyFileIsTheDefaults() {
        assertThat(EngineConfig.fromYaml("# nothing set\n").toString()).isEqualTo(EngineConfig.defaults().toString());
    }

    @Test
    void overridesReplaceFileValues() {
        EngineConfig c = EngineConfig.fromYaml("time.mode: event\ntopics.deltas: d1\n")
                .with(Map.of("time.mode", "processing", "kafka.bootstrap-servers", "k:1",
                        "kafka.properties.sasl.jaas.config", "secret-value"));
        assertThat(c.timeMode()).isEqualTo(TimeMode.PROCESSING);
        assertThat(c.deltasTopic()).isEqualTo("d1");
        assertThat(c.bootstrapServers()).isEqualTo("k:1");
        assertThat(c.kafkaProperties()).containsEntry("sasl.jaas.config", "secret-value");
        assertThat(c.toString()).contains("kafka.properties.sasl.jaas.config").doesNotContain("secret-value");
    }

    @Test
    void unknownKeysAreErrorsNamingTheKey() {
        assertThatThrownBy(() -> EngineConfig.fromYaml("kafka:\n  bootstrap-server: x:1\n"))
                .isInstanceOf(EngineConfig.InvalidConfigException.class)
                .hasMessageContaining("kafka.bootstrap-server: unknown setting");
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("checkpoint.intervall", "5s")))
                .hasMessageContaining("checkpoint.intervall: unknown setting");
    }

    @Test
    void badValuesAreErrorsNamingTheKey() {
        assertThatThrownBy(() -> EngineConfig.fromYaml("profile.lifetime: 90 days\n"))
                .isInstanceOf(EngineConfig.InvalidConfigException.class)
                .hasMessageContaining("profile.lifetime: '90 days' is not a duration");
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("checkpoint.interval", "10x")))
                .hasMessageContaining("checkpoint.interval: '10x' is not a duration");
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("time.mode", "wall")))
                .hasMessageContaining("time.mode: 'wall' is not processing or event");
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("parallelism", "300")))
                .hasMessageContaining("parallelism: 300 is above max-parallelism 128");
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("topics.events", "no spaces")))
                .hasMessageContaining("topics.events: 'no spaces' is not a Kafka topic name");
        assertThatThrownBy(() -> EngineConfig.fromYaml("topics.events: [a, b]\n"))
                .hasMessageContaining("topics.events: must be a single value");
        assertThatThrownBy(() -> EngineConfig.fromYaml("time.mode: event\ntime.mode: processing\n"))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        assertThatThrownBy(() -> EngineConfig.defaults().with(Map.of("state.backend", "memory", "max-parallelism", "0")))
                .isInstanceOfSatisfying(EngineConfig.InvalidConfigException.class, e -> assertThat(e.errors())
                        .anyMatch(m -> m.startsWith("state.backend:"))
                        .anyMatch(m -> m.startsWith("max-parallelism:")));
    }

    @Test
    void engineSettingsFollowTheConfig() {
        EngineSettings s = EngineConfig.defaults()
                .with(Map.of("time.mode", "event", "profile.lifetime", "12h", "max-parallelism", "64"))
                .toEngineSettings("{\"audiences\": []}");
        assertThat(s.timeMode()).isEqualTo(TimeMode.EVENT);
        assertThat(s.profileLifetimeMs()).isEqualTo(12L * 3_600_000L);
        assertThat(s.maxParallelism()).isEqualTo(64);
        assertThat(s.definitionsJson()).isEqualTo("{\"audiences\": []}");
        assertThat(s.untilMs()).isNull();
    }
}
