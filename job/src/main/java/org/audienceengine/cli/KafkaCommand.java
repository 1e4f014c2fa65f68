package org.audienceengine.cli;

import org.audienceengine.kafka.EmbeddedKafka;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kafka [--port P] [--dir DIR]}: a single-node Kafka broker (KRaft, broker and
 * controller in one) on 127.0.0.1, for a cluster on this machine ({@code bin/flink-cluster}).
 * Its data stays in DIR across restarts, as the job's checkpoints refer to its offsets.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, description = "Run a single-node Kafka broker on 127.0.0.1 until stopped.")
final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "Client port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", defaultValue = "out/kafka", description = "Where the broker keeps its data (default ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(port, dir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "kafka-shutdown"));
        System.out.println("kafka: started on " + kafka.bootstrapServers() + ", data in " + dir);
        stopped.await();
        return 0;
    }
}
