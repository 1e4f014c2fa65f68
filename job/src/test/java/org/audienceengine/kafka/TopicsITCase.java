package org.audienceengine.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import org.audienceengine.config.EngineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The check a job makes of its topics before it is submitted, on a real broker. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicsITCase {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws IOException {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static EngineConfig config(String prefix, boolean create) {
        return EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.CREATE_TOPICS, Boolean.toString(create),
                EngineConfig.TOPIC_PARTITIONS, "3",
                EngineConfig.TOPIC_EVENTS, prefix + "-events",
                EngineConfig.TOPIC_DEFINITIONS, prefix + "-definitions",
                EngineConfig.TOPIC_DELTAS, prefix + "-deltas"));
    }

    @Test
    void missingTopicsStopTheStartWithOneLineThatNamesThem() {
        EngineConfig config = config("refused", false);
        kafka.createTopics(config.eventsTopic());
        assertThatThrownBy(() -> Topics.ensure(config, Topics.required(config, false)))
                .isInstanceOf(Topics.MissingTopicsException.class)
                .hasMessageContaining("refused-deltas")
                .hasMessageContaining("refused-definitions")
                .hasMessageNotContaining("refused-events")
                .hasMessageContaining("kafka.create-topics")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void whenAllowedTheJobCreatesThemWithTheSettingsAndCompactsTheDefinitions() throws Exception {
        EngineConfig config = config("created", true);
        List<String> created = Topics.ensure(config, Topics.required(config, true));
        assertThat(created).contains("created-events", "created-definitions", "created-deltas",
                config.connectionControlTopic(), config.deliveryDeadLettersTopic());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicDescription events = admin.describeTopics(List.of("created-events")).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get("created-events");
            assertThat(events.partitions()).hasSize(3);
            ConfigResource definitions = new ConfigResource(ConfigResource.Type.TOPIC, "created-definitions");
            assertThat(admin.describeConfigs(List.of(definitions)).all().get(30, TimeUnit.SECONDS).get(definitions)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        assertThat(Topics.ensure(config, Topics.required(config, true))).as("a second start creates nothing").isEmpty();
    }
}
