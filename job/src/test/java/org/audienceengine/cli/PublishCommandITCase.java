package org.audienceengine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.CommittedRecords;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.kafka.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code publish} validates a document and puts it, keyed, on the definitions topic the job follows. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PublishCommandITCase {
    @TempDir
    Path dir;

    @Test
    void aValidDocumentGoesToTheCompactedTopicAndAnInvalidOneNowhere() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EngineConfig settings = EngineConfig.defaults().with(Map.of(
                    EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(), EngineConfig.CREATE_TOPICS, "true"));
            // The topic as the job creates it: compacted, which refuses records without a key.
            Topics.ensure(settings, List.of(settings.definitionsTopic()));

            CommandLineRun run = CommandLineRun.of("publish", "--audiences", "../conf/audiences.json",
                    "--kafka", kafka.bootstrapServers(), "--config", "../conf/engine.yaml");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("publish: 19 audience(s) from ../conf/audiences.json (sha-256 ")
                    .contains("sent to audience-definitions");
            List<String> documents = CommittedRecords.all(kafka.bootstrapServers(), settings.definitionsTopic());
            assertThat(documents).containsExactly(Files.readString(Path.of("../conf/audiences.json")));

            Path invalid = dir.resolve("invalid.json");
            Files.writeString(invalid, "{\"audiences\": [{\"id\": 1, \"name\": \"x\", \"criteria\": {\"nope\": {}}}]}");
            CommandLineRun refused = CommandLineRun.of("publish", "--audiences", invalid.toString(),
                    "--kafka", kafka.bootstrapServers(), "--config", "../conf/engine.yaml");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("invalid audience definitions").contains("audiences[0].criteria");
            assertThat(CommittedRecords.all(kafka.bootstrapServers(), settings.definitionsTopic())).hasSize(1);
        }
    }
}
