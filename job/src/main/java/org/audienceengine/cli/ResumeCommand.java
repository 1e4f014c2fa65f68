package org.audienceengine.cli;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.delivery.ControlMessages;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code resume --connection ID}: lifts a connection's fault in a running job by sending the
 * control message to its {@code connection-control} topic (the job then reads the connection's
 * secrets again and delivers what it held).
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Resume a faulted connection of a running job (a control message on its connection-control topic).")
final class ResumeCommand extends OneRecord {
    @Option(names = "--connection", required = true, paramLabel = "ID", description = "The connection id.")
    String connection;

    @Override
    String name() {
        return "resume";
    }

    @Override
    Message message(EngineConfig settings) {
        return new Message(settings.connectionControlTopic(), connection, ControlMessages.resume(connection),
                "sent for connection " + connection);
    }
}
