package org.audienceengine.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import org.audienceengine.config.EngineConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The topics a job reads and writes, checked before it is submitted: a job whose topics are
 * missing would otherwise fail on its first read and restart forever. Missing topics are created
 * when the settings allow it, else the start fails with one line that names them.
 */
public final class Topics {
    private static final long TIMEOUT_S = 30;

    private Topics() {}

    /** Why a job cannot start on this broker, in one line. */
    public static final class MissingTopicsException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingTopicsException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Waits until every partition of the new topics has a leader: the job's sources list the
     * partitions once at start, and a topic seen before its partitions are ready would be read
     * only after the next partition discovery, minutes later.
     */
    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                boolean ready = admin.describeTopics(topics).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).values()
                        .stream().allMatch(t -> !t.partitions().isEmpty()
                                && t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader");
            }
            Thread.sleep(100);
        }
    }

    /** The topics of the live job; the connection topics only when it delivers to partners. */
    public static List<String> required(EngineConfig config, boolean delivers) {
        Set<String> topics = new LinkedHashSet<>(List.of(config.eventsTopic(), config.deltasTopic(),
                config.deadLettersTopic(), config.definitionsTopic(), config.dsrRequestsTopic(),
                config.dsrCompletionsTopic()));
        if (delivers) {
            topics.add(config.connectionControlTopic());
            topics.add(config.deliveryDeadLettersTopic());
        }
        return List.copyOf(topics);
    }

    /**
     * Makes sure every topic exists: creates the missing ones when {@code kafka.create-topics} is
     * true, else throws. Returns the topics it created.
     */
    public static List<String> ensure(EngineConfig config, List<String> topics) throws MissingTopicsException {
        Map<String, Object> adminConfig = new HashMap<>(config.kafkaProperties());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, config.groupId() + "-topic-check");
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<String> missing = topics.stream().distinct().filter(t -> !existing.contains(t)).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!config.createTopics()) {
                throw new MissingTopicsException("Kafka at " + config.bootstrapServers() + " lacks the topic(s) "
                        + String.join(", ", missing) + ": create them (README, Topics) or set "
                        + EngineConfig.CREATE_TOPICS + " true");
            }
            List<NewTopic> created = new ArrayList<>();
            for (String topic : missing) {
                NewTopic t = new NewTopic(topic, config.topicPartitions(), config.topicReplicationFactor());
                if (topic.equals(config.definitionsTopic())) {
                    // Only the newest document counts; compaction keeps it (under one key) forever.
                    t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                created.add(t);
            }
            for (var result : admin.createTopics(created).values().entrySet()) {
                try {
                    result.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new MissingTopicsException("cannot create topic " + result.getKey() + " on Kafka at "
                                + config.bootstrapServers() + ": " + e.getCause().getMessage());
                    }
                }
            }
            awaitLeaders(admin, missing);
            return missing;
        } catch (ExecutionException e) {
            throw new MissingTopicsException("cannot reach Kafka at " + config.bootstrapServers() + ": "
                    + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new MissingTopicsException("Kafka at " + config.bootstrapServers() + " did not answer within "
                    + TIMEOUT_S + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MissingTopicsException("interrupted while checking topics");
        }
    }
}
