package org.audienceengine.testutils;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.audienceengine.ingest.BatchParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lines as records of an events topic the way a job in event time needs them: keyed by user, in
 * batch-time order (a stable sort: a user's batches with equal times keep their file order),
 * stamped with their batch time, so that every partition's time only moves forward; lines that
 * are not batches take the latest time before them.
 */
public final class EventRecords {
    private EventRecords() {}

    public static List<ProducerRecord<byte[], byte[]>> timeOrdered(String topic, List<byte[]> lines, int partitions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long latest = 0;
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            BatchParser.Result parsed = BatchParser.parse(line, null);
            String key = parsed.ok() ? Long.toString(parsed.batch().mpid) : "line-" + i;
            int partition = Math.floorMod(key.hashCode(), partitions);
            long time = parsed.ok() ? parsed.batch().batchTime : latest;
            latest = Math.max(latest, time);
            records.add(new ProducerRecord<>(topic, partition, time, key.getBytes(StandardCharsets.UTF_8), line));
        }
        records.sort(Comparator.comparingLong(ProducerRecord::timestamp));
        return records;
    }
}
