package org.audienceengine.local;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.kafka.Topics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The broker of a local run: an in-process one with fresh storage, or one that is already running. */
public final class LocalKafka implements AutoCloseable {
    private final EmbeddedKafka embedded;
    private final String bootstrapServers;

    private LocalKafka(EmbeddedKafka embedded, String bootstrapServers) {
        this.embedded = embedded;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on 127.0.0.1 with its storage in {@code dataDir}, emptied first. */
    public static LocalKafka embedded(Path dataDir) throws IOException {
        RunFolder.deleteTree(dataDir);
        EmbeddedKafka kafka = EmbeddedKafka.start(0, dataDir);
        return new LocalKafka(kafka, kafka.bootstrapServers());
    }

    /** A broker that is already running; nothing of it is stopped on close. */
    public static LocalKafka existing(String bootstrapServers) {
        return new LocalKafka(null, bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /**
     * Creates the job's topics that are missing: on the in-process broker with
     * {@link EmbeddedKafka#DEFAULT_PARTITIONS} partitions each, on an existing one as the job
     * itself would ({@link Topics#ensure}, with the settings' partitions and replication).
     */
    public void createTopics(EngineConfig settings, List<String> topics) {
        if (embedded != null) {
            embedded.createTopics(topics.toArray(String[]::new));
            return;
        }
        try {
            Topics.ensure(settings.with(Map.of(EngineConfig.CREATE_TOPICS, "true")), topics);
        } catch (Topics.MissingTopicsException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
