package org.audienceengine.local;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Plays a {@link SampleTimeline} into the events topic so that the engine, which evaluates
 * windows against the wall clock, sees a history that ends now and then goes on live.
 *
 * <p>Why not simply "the sample starts now": in processing time an event stamped more than five
 * minutes ahead counts as happening now, and windows are measured on the wall clock, so a sample
 * played from now at N times real speed would have all of its four months land in the last few
 * minutes, and no 30m to 7d window would run out while anyone watched. Instead every time in the
 * sample is moved by one constant (whole minutes, see {@link SampleTimeline#shiftFor}) so that
 * the anchor, by default the sample's last batch, is "now" at the moment the catch-up ends. The
 * batches up to it go out at {@code speed} times real time, in time order, each at most as old
 * on arrival as it is in the sample, so the engine builds the state users would have; the
 * windows of the latest batches then run out live on the wall clock (those of up to a day at
 * the instants a backtest of the same history expires them, shifted). Batches after the anchor
 * follow in real time, each when its own time comes: no batch is ever sent before its time.
 */
public final class Feeder implements AutoCloseable {
    private final SampleTimeline timeline;
    private final String topic;
    private final double speed;
    private final long anchor;
    private final KafkaProducer<byte[], byte[]> producer;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile long shiftMs;
    private volatile long catchUpEndsAt;
    private volatile long lastSampleTime;
    private Thread thread;

    /**
     * @param speed how many times faster than real time the batches before the anchor go out
     * @param anchor the sample instant that becomes "now" when the catch-up ends
     */
    public Feeder(SampleTimeline timeline, String bootstrapServers, String topic, double speed, long anchor) {
        this.timeline = timeline;
        this.topic = topic;
        this.speed = speed;
        this.anchor = anchor;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "audience-engine-local-feeder",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Starts playing now; returns at once. */
    public void start() {
        long startedAt = System.currentTimeMillis();
        long catchUpMs = (long) Math.max(0, (anchor - timeline.firstTime()) / speed);
        catchUpEndsAt = startedAt + catchUpMs;
        shiftMs = SampleTimeline.shiftFor(anchor, catchUpEndsAt);
        thread = new Thread(() -> play(startedAt), "local-feeder");
        thread.setDaemon(true);
        thread.start();
    }

    private void play(long startedAt) {
        try {
            for (SampleTimeline.Line line : timeline.lines()) {
                long paced = startedAt + (long) ((line.time() - timeline.firstTime()) / speed);
                long due = Math.max(paced, line.time() + shiftMs);
                if (line.time() + shiftMs > catchUpEndsAt) {
                    // From here on each batch waits for its own time: the history is in.
                    caughtUp.countDown();
                }
                long wait = due - System.currentTimeMillis();
                if (wait > 0 && stop.await(wait, TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (stop.getCount() == 0) {
                    return;
                }
                producer.send(new ProducerRecord<>(topic, line.key(), SampleTimeline.shifted(line, shiftMs)),
                        (metadata, error) -> {
                            if (error == null) {
                                sent.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, error.toString());
                            }
                        });
                lastSampleTime = line.time();
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e.toString());
        } finally {
            caughtUp.countDown();
        }
    }

    /** The constant added to every time in the sample. */
    public long shiftMs() {
        return shiftMs;
    }

    /** Wall-clock ms at which the batches up to the anchor have all gone out. */
    public long catchUpEndsAt() {
        return catchUpEndsAt;
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Some of the sample lies after the anchor and goes out in real time. */
    public boolean hasLiveTail() {
        return timeline.lastTime() + shiftMs > catchUpEndsAt;
    }

    /** Records the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public String firstFailure() {
        return firstFailure.get();
    }

    /** Sample time of the latest line sent, or 0 before the first. */
    public long lastSampleTime() {
        return lastSampleTime;
    }

    @Override
    public void close() {
        stop.countDown();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(10));
    }
}
