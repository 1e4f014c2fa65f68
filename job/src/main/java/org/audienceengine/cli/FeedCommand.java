package org.audienceengine.cli;

import org.audienceengine.local.Feeder;
import org.audienceengine.local.SampleTimeline;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code feed [--events FILE] [--kafka HOST:PORT] [--topic T] [--speed N]}: sends a sample of
 * batches to a running job's events topic, shifted so that it ends now, as {@code local} does —
 * how a job on a cluster gets data to show.
 */
@Command(name = "feed", mixinStandardHelpOptions = true, description = "Send the sample's batches to a Kafka topic, shifted so that they end now.")
final class FeedCommand implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "conf/sample/events.jsonl", description = "Batches, one per line (default ${DEFAULT-VALUE}).")
    Path events;

    @Option(names = "--kafka", defaultValue = "127.0.0.1:9092", description = "Broker (default ${DEFAULT-VALUE}).")
    String kafka;

    @Option(names = "--topic", defaultValue = "events", description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--speed", defaultValue = "1000000", description = "Times faster than real time (default ${DEFAULT-VALUE}).")
    double speed;

    /** A sample of batches in time order; fails with one line when it cannot be read or is empty. */
    static SampleTimeline loadSample(Path events) throws CommandFailure {
        Files.requireReadable(events);
        SampleTimeline timeline;
        try {
            timeline = SampleTimeline.load(events);
        } catch (IOException e) {
            throw new CommandFailure(events + ": cannot read: " + e.getMessage(), e);
        }
        if (timeline.lines().isEmpty()) {
            throw new CommandFailure(events + ": no batches to replay");
        }
        return timeline;
    }

    @Override
    public Integer call() throws Exception {
        try {
            SampleTimeline timeline = loadSample(events);
            try (Feeder feeder = new Feeder(timeline, kafka, topic, speed, timeline.lastTime())) {
                feeder.start();
                while (!feeder.caughtUp()) {
                    Thread.sleep(200);
                }
                System.out.println("feed: " + feeder.sent() + " batch(es) sent to " + topic + " at " + kafka
                        + (feeder.failed() > 0 ? ", " + feeder.failed() + " failed: " + feeder.firstFailure() : ""));
                return feeder.failed() > 0 ? 1 : 0;
            }
        } catch (CommandFailure e) {
            System.err.println("feed: " + e.getMessage());
            return 1;
        }
    }
}
