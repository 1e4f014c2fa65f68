package org.audienceengine.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import org.audienceengine.kafka.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /** Creates the topics that are missing; an existing broker's defaults decide partitions and replicas. */
    public void createTopics(List<String> topics) {
        if (embedded != null) {
            embedded.createTopics(topics.toArray(String[]::new));
            return;
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "audience-engine-local-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().distinct().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty()))
                    .toList();
            for (var created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + created.getKey() + ": "
                                + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 30s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
