package org.audienceengine.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.audienceengine.config.EngineConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

class ProducerPropertiesTest {
    @Test
    void largerBatchesUnlessTheConfigurationSaysOtherwise() {
        Properties defaults = KafkaConnectors.producerProperties(EngineConfig.defaults());
        assertThat(defaults.getProperty(ProducerConfig.BATCH_SIZE_CONFIG)).isEqualTo("262144");
        assertThat(defaults.getProperty(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("20");

        Properties configured = KafkaConnectors.producerProperties(EngineConfig.defaults().with(Map.of(
                EngineConfig.KAFKA_PROPERTIES_PREFIX + "linger.ms", "0",
                EngineConfig.KAFKA_PROPERTIES_PREFIX + "security.protocol", "SSL")));
        assertThat(configured.getProperty(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("0");
        assertThat(configured.getProperty(ProducerConfig.BATCH_SIZE_CONFIG)).isEqualTo("262144");
        assertThat(configured.getProperty("security.protocol")).isEqualTo("SSL");
    }
}
