package org.audienceengine.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.DeadLetterJson;

import java.nio.charset.StandardCharsets;

/** A dead letter as its JSON, without a key: a rejected record may have no usable identity. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, null,
                DeadLetterJson.toJson(letter).getBytes(StandardCharsets.UTF_8));
    }
}
