package org.audienceengine.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single-node Kafka (KRaft, broker and controller in one) inside this JVM, listening on
 * 127.0.0.1 only: for integration tests and the {@code local} command, where no Kafka is installed.
 * Configured for one node (replication factor 1 everywhere) and for transactions: the broker's
 * maximum transaction timeout is above the exactly-once sinks' timeout, and the storage is
 * formatted with {@code transaction.version=1}, with which the Flink sink's re-commit of an
 * already committed transaction on restore is not reported as data loss.
 */
public final class EmbeddedKafka implements AutoCloseable {
    public static final int DEFAULT_PARTITIONS = 4;
    /** Must be at least {@code kafka.transaction-timeout} of the engine's settings. */
    static final long MAX_TRANSACTION_TIMEOUT_MS = TimeUnit.HOURS.toMillis(1);
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final KafkaRaftServer server;
    private final Admin admin;

    private EmbeddedKafka(Path dataDir, boolean deleteOnClose, int port, KafkaRaftServer server, Admin admin) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.server = server;
        this.admin = admin;
    }

    /** A broker on a free port with its data in a temporary folder removed on close. */
    public static EmbeddedKafka start() throws IOException {
        return start(0, null);
    }

    /**
     * @param port the client port on 127.0.0.1, or 0 for a free one
     * @param dataDir where the logs live (kept on close), or null for a temporary folder
     */
    public static EmbeddedKafka start(int port, Path dataDir) throws IOException {
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("embedded-kafka") : dataDir;
        Files.createDirectories(dir);
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Properties props = brokerProperties(dir, clientPort, controllerPort);
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            format(dir, props);
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + clientPort,
                    AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin"));
            EmbeddedKafka kafka = new EmbeddedKafka(dir, temporary, clientPort, server, admin);
            kafka.awaitBroker();
            return kafka;
        } catch (Throwable e) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
            if (temporary) {
                deleteTree(dir);
            }
            throw e;
        }
    }

    private static Properties brokerProperties(Path dir, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.resolve("logs").toString());
        // One node: every internal topic has one replica, and fewer partitions start faster.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", Integer.toString(DEFAULT_PARTITIONS));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("transaction.max.timeout.ms", Long.toString(MAX_TRANSACTION_TIMEOUT_MS));
        // The 128 MiB default buffer is sized for a dedicated broker, not a guest in another JVM.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        return p;
    }

    private static void format(Path dir, Properties props) throws IOException {
        Path logs = dir.resolve("logs");
        if (Files.exists(logs.resolve("meta.properties"))) {
            return;
        }
        Path file = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "embedded Kafka");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(new String[] {
                "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", file.toString(),
                "--feature", "transaction.version=1", "--ignore-formatted"}, print);
        }
        if (code != 0) {
            throw new IllegalStateException("formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitBroker() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = new IllegalStateException(e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
        }
        throw new IllegalStateException("Kafka did not start within " + READY_TIMEOUT.toSeconds() + "s", last);
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates the topics that do not exist yet, each with {@link #DEFAULT_PARTITIONS} partitions. */
    public void createTopics(String... names) {
        createTopics(DEFAULT_PARTITIONS, names);
    }

    /** Creates the topics that do not exist yet and waits until every partition has a leader. */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        try {
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> created
                    : admin.createTopics(topics).values().entrySet()) {
                try {
                    created.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + created.getKey() + ": " + e.getCause(), e);
                    }
                }
            }
            awaitLeaders(List.of(names));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topics timed out", e);
        }
    }

    /**
     * Waits until each partition's leader answers for it: the controller names a leader before
     * the broker has taken the partition on, and a producer that writes in between gets
     * NOT_LEADER_OR_FOLLOWER, which can upset an idempotent producer's sequence numbers.
     */
    private void awaitLeaders(List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                    for (TopicPartitionInfo p : d.partitions()) {
                        partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                    }
                }
                admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
            }
        }
        throw new IllegalStateException("topics " + names + " have no leaders after " + READY_TIMEOUT.toSeconds() + "s", last);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteTree(dataDir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
