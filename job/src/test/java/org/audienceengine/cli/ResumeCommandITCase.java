package org.audienceengine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.delivery.ControlMessages;
import org.audienceengine.kafka.CommittedRecords;
import org.audienceengine.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code resume} puts the control message that the job's delivery reads on the control topic. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ResumeCommandITCase {

    @Test
    void sendsTheResumeMessageToTheControlTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "connection-control");
            CommandLineRun run = CommandLineRun.of("resume", "--connection", "mc-newsletter",
                    "--kafka", kafka.bootstrapServers(), "--config", "../conf/engine.yaml");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("resume: sent for connection mc-newsletter to connection-control");
            List<String> messages = CommittedRecords.all(kafka.bootstrapServers(), "connection-control");
            assertThat(messages).hasSize(1);
            assertThat(ControlMessages.parse(messages.get(0))).isEqualTo(new ControlMessages.Control("mc-newsletter", "resume"));
        }
        assertThat(CommandLineRun.of("resume").exitCode()).as("no --connection").isEqualTo(2);
    }
}
