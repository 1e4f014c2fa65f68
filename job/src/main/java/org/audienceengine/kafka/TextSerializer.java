package org.audienceengine.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Text records (erasure completions: already JSON) as UTF-8 values without a key. */
public final class TextSerializer implements KafkaRecordSerializationSchema<String> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public TextSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(String text, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, null, text.getBytes(StandardCharsets.UTF_8));
    }
}
