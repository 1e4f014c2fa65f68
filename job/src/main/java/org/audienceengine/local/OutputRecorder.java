package org.audienceengine.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads what the job commits to its output topics, as any downstream consumer would
 * (read_committed: records of aborted or still open transactions are never seen), appends each
 * record as one line to a file per topic, and counts deltas per audience. It starts at the end
 * the topics have before the job runs, so only this run's output is counted.
 */
public final class OutputRecorder implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    /** Adds and removes of one audience in this run. */
    public static final class AudienceCounts {
        private final AtomicLong adds = new AtomicLong();
        private final AtomicLong removes = new AtomicLong();

        public long adds() {
            return adds.get();
        }

        public long removes() {
            return removes.get();
        }

        /** Members now, as far as this run's deltas tell. */
        public long size() {
            return adds.get() - removes.get();
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, OutputStream> files = new HashMap<>();
    private final String deltasTopic;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<Integer, AudienceCounts> audiences = new ConcurrentHashMap<>();
    private final AtomicLong expiryRemoves = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean draining;
    private volatile Duration drainTimeout = Duration.ZERO;
    private Thread thread;

    /**
     * @param topicsToFiles each output topic and the file its records are appended to
     * @param deltasTopic the topic whose records are deltas, counted per audience
     */
    public OutputRecorder(String bootstrapServers, Map<String, Path> topicsToFiles, String deltasTopic) throws IOException {
        this.deltasTopic = deltasTopic;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "audience-engine-local-recorder",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Map.Entry<String, Path> e : topicsToFiles.entrySet()) {
                consumer.partitionsFor(e.getKey(), Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(e.getKey(), p.partition())));
                files.put(e.getKey(), Files.newOutputStream(e.getValue(), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
                counts.put(e.getKey(), new AtomicLong());
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // seekToEnd is lazy: resolve it now, before the job can write anything.
            partitions.forEach(consumer::position);
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    public void start() {
        thread = new Thread(this::run, "local-output-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            Map<TopicPartition, Long> ends = null;
            long deadline = 0;
            while (true) {
                if (draining && ends == null) {
                    // For a read_committed consumer the end is the last stable offset: once the job
                    // has stopped, that is everything it committed.
                    ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
                    deadline = System.nanoTime() + drainTimeout.toNanos();
                }
                if (ends != null && (reached(ends) || System.nanoTime() > deadline)) {
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    record(record);
                }
                for (OutputStream out : files.values()) {
                    out.flush();
                }
            }
        } catch (WakeupException e) {
            // close() while not draining: stop at once.
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e.toString());
        } finally {
            closeQuietly();
            done.countDown();
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void record(ConsumerRecord<byte[], byte[]> record) throws IOException {
        OutputStream out = files.get(record.topic());
        byte[] value = record.value() == null ? new byte[0] : record.value();
        out.write(value);
        out.write('\n');
        counts.get(record.topic()).incrementAndGet();
        if (record.topic().equals(deltasTopic)) {
            JsonNode delta = MAPPER.readTree(value);
            AudienceCounts c = audiences.computeIfAbsent(delta.path("audience_id").asInt(), id -> new AudienceCounts());
            if ("add".equals(delta.path("action").asText())) {
                c.adds.incrementAndGet();
            } else {
                c.removes.incrementAndGet();
                if ("expiry".equals(delta.path("reason").asText())) {
                    expiryRemoves.incrementAndGet();
                }
            }
        }
    }

    /** Records read from a topic so far. */
    public long count(String topic) {
        AtomicLong c = counts.get(topic);
        return c == null ? 0 : c.get();
    }

    public AudienceCounts audience(int id) {
        return audiences.getOrDefault(id, new AudienceCounts());
    }

    /** Removes because a window ran out. */
    public long expiryRemoves() {
        return expiryRemoves.get();
    }

    /** Why reading stopped early, or null. */
    public String failure() {
        return failure.get();
    }

    /** Reads on until the end of what has been committed (once the job has stopped), then stops. */
    public void drain(Duration timeout) {
        drainTimeout = timeout;
        draining = true;
        await(timeout.plusSeconds(15));
    }

    @Override
    public void close() {
        if (thread == null) {
            closeQuietly();
            return;
        }
        if (done.getCount() > 0) {
            consumer.wakeup();
        }
        await(Duration.ofSeconds(15));
    }

    private void await(Duration timeout) {
        try {
            done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        for (OutputStream out : files.values()) {
            try {
                out.close();
            } catch (IOException e) {
                failure.compareAndSet(null, e.toString());
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
