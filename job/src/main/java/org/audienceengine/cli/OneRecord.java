package org.audienceengine.cli;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import org.audienceengine.config.EngineConfig;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A command that sends one record to a running job's topic (resume, publish): the broker and
 * topic come from the settings file or {@code --kafka}, the record is acknowledged before the
 * command says it was sent, and every failure is one line and exit 1.
 */
abstract class OneRecord implements Callable<Integer> {
    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "The job's broker (default: kafka.bootstrap-servers of --config).")
    String kafka;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/engine.yaml",
            description = "Settings: the broker and the job's topics (default: ${DEFAULT-VALUE}).")
    Path config;

    /** What to send, and what to say once it is sent ({@code topic}, {@code broker} filled in). */
    record Message(String topic, String key, String value, String sent) {}

    abstract String name();

    /** The record for these settings; a CommandFailure stops before anything is sent. */
    abstract Message message(EngineConfig settings) throws CommandFailure;

    @Override
    public Integer call() {
        try {
            Files.requireReadable(config);
            EngineConfig settings = EngineConfig.load(config);
            Message message = message(settings);
            String bootstrap = kafka != null ? kafka : settings.bootstrapServers();
            send(bootstrap, message.topic(), message.key(), message.value());
            System.out.println(name() + ": " + message.sent() + " to " + message.topic() + " on " + bootstrap);
            return 0;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException | ExecutionException | TimeoutException
                 | org.apache.kafka.common.KafkaException e) {
            System.err.println(name() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void send(String bootstrapServers, String topic, String key, String value)
            throws ExecutionException, TimeoutException, InterruptedException {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                // A definitions document may be large; the broker's default limit is 1 MiB.
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
