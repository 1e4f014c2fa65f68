package org.audienceengine.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.audienceengine.deltas.DeltaWriter;
import org.audienceengine.deltas.MembershipDelta;

import java.nio.charset.StandardCharsets;

/**
 * A delta as its JSON (deltas.md), keyed by the mpid in decimal: every delta of one user lands
 * in one partition, so a consumer reads each (audience, mpid) pair in seq order. The record time
 * is left to the producer (the time of writing): an effective time from a replayed past would let
 * the topic's retention delete the record at once.
 */
public final class DeltaSerializer implements KafkaRecordSerializationSchema<MembershipDelta> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private transient DeltaWriter writer;

    public DeltaSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(MembershipDelta delta, KafkaSinkContext context, Long timestamp) {
        if (writer == null) {
            writer = new DeltaWriter();
        }
        return new ProducerRecord<>(topic, null, null,
                Long.toString(delta.mpid).getBytes(StandardCharsets.UTF_8),
                writer.toBytes(delta));
    }
}
