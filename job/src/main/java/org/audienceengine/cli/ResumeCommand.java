package org.audienceengine.cli;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.delivery.ControlMessages;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code resume --connection ID}: lifts a connection's fault in a running job by sending the
 * control message to its {@code connection-control} topic (the job then reads the connection's
 * secrets again and delivers what it held).
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Resume a faulted connection of a running job (a control message on its connection-control topic).")
final class ResumeCommand implements Callable<Integer> {
    @Option(names = "--connection", required = true, paramLabel = "ID", description = "The connection id.")
    String connection;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "The job's broker (default: kafka.bootstrap-servers of --config).")
    String kafka;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/engine.yaml",
            description = "Settings: the broker and the control topic (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
        try {
            Files.requireReadable(config);
            EngineConfig settings = EngineConfig.load(config);
            String bootstrap = kafka != null ? kafka : settings.bootstrapServers();
            String topic = settings.connectionControlTopic();
            OneRecord.send(bootstrap, topic, connection, ControlMessages.resume(connection));
            System.out.println("resume: sent for connection " + connection + " to " + topic + " on " + bootstrap);
            return 0;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException | ExecutionException | TimeoutException
                 | org.apache.kafka.common.KafkaException e) {
            System.err.println("resume: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
