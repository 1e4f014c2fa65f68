package org.audienceengine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The settings of the live job (cli.md): from {@code conf/engine.yaml}, nested or with dotted keys,
 * and from {@code --key value} overrides with the same dotted keys. Every key has a default, so an
 * empty file is a working configuration for a local broker. Unknown keys are errors, so a typo
 * never silently falls back to a default. Kafka client settings that the engine does not model
 * (security, say) pass through under {@code kafka.properties.}.
 */
public final class EngineConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String GROUP_ID = "kafka.group-id";
    public static final String TRANSACTIONAL_ID_PREFIX = "kafka.transactional-id-prefix";
    public static final String TRANSACTION_TIMEOUT = "kafka.transaction-timeout";
    public static final String CREATE_TOPICS = "kafka.create-topics";
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION = "topics.replication-factor";
    public static final String TOPIC_EVENTS = "topics.events";
    public static final String TOPIC_DELTAS = "topics.deltas";
    public static final String TOPIC_DEAD_LETTERS = "topics.dead-letters";
    public static final String TOPIC_DEFINITIONS = "topics.definitions";
    public static final String TOPIC_DSR_REQUESTS = "topics.dsr-requests";
    public static final String TOPIC_DSR_COMPLETIONS = "topics.dsr-completions";
    public static final String TOPIC_CONNECTION_CONTROL = "topics.connection-control";
    public static final String TOPIC_DELIVERY_DLQ = "topics.delivery-dlq";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
    public static final String CHECKPOINT_DIR = "checkpoint.dir";
    public static final String STATE_BACKEND = "state.backend";
    public static final String PARALLELISM = "parallelism";
    public static final String MAX_PARALLELISM = "max-parallelism";
    public static final String TIME_MODE = "time.mode";
    public static final String MAX_OUT_OF_ORDERNESS = "time.max-out-of-orderness";
    public static final String PROFILE_LIFETIME = "profile.lifetime";
    public static final String AUDIENCES_FILE = "audiences.file";
    public static final String CONNECTIONS_FILE = "connections.file";

    /** Every key with its default, in the order conf/engine.yaml documents them. */
    private static final Map<String, String> DEFAULTS = defaults(
            BOOTSTRAP_SERVERS, "localhost:9092",
            GROUP_ID, "audience-engine",
            TRANSACTIONAL_ID_PREFIX, "audience-engine",
            TRANSACTION_TIMEOUT, "10m",
            CREATE_TOPICS, "false",
            TOPIC_EVENTS, "events",
            TOPIC_DELTAS, "audience-deltas",
            TOPIC_DEAD_LETTERS, "events-dlq",
            TOPIC_DEFINITIONS, "audience-definitions",
            TOPIC_DSR_REQUESTS, "dsr-requests",
            TOPIC_DSR_COMPLETIONS, "dsr-completions",
            TOPIC_CONNECTION_CONTROL, "connection-control",
            TOPIC_DELIVERY_DLQ, "delivery-dlq",
            TOPIC_PARTITIONS, "0",
            TOPIC_REPLICATION, "0",
            CHECKPOINT_INTERVAL, "10s",
            CHECKPOINT_DIR, "file:///tmp/audience-engine/checkpoints",
            STATE_BACKEND, "rocksdb",
            PARALLELISM, "0",
            MAX_PARALLELISM, Integer.toString(EngineSettings.DEFAULT_MAX_PARALLELISM),
            TIME_MODE, "processing",
            MAX_OUT_OF_ORDERNESS, "0s",
            PROFILE_LIFETIME, "90d",
            AUDIENCES_FILE, "conf/audiences.json",
            CONNECTIONS_FILE, "");


    private final Map<String, String> values;
    private final Map<String, String> kafkaProperties;

    private EngineConfig(Map<String, String> values, Map<String, String> kafkaProperties) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.kafkaProperties = Collections.unmodifiableMap(new TreeMap<>(kafkaProperties));
    }

    /** Every setting, whether valid or not; the message lists each error with its key. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> errors;

        InvalidConfigException(List<String> errors) {
            super(String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULTS, Map.of());
    }

    /** The documented keys and their defaults. */
    public static Map<String, String> defaultValues() {
        return Collections.unmodifiableMap(DEFAULTS);
    }

    public static EngineConfig load(Path yamlFile) throws IOException {
        return fromYaml(Files.readString(yamlFile, StandardCharsets.UTF_8));
    }

    public static EngineConfig fromYaml(String yaml) {
        Map<String, String> flat = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        JsonNode root;
        try {
            YAMLMapper mapper = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
            root = mapper.readTree(yaml);
        } catch (IOException e) {
            throw new InvalidConfigException(List.of("not valid YAML: " + firstLine(e.getMessage())));
        }
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new InvalidConfigException(List.of("the file must be a mapping of settings"));
            }
            flatten("", root, flat, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return defaults().with(flat);
    }

    /** These settings with some replaced, e.g. from {@code --key value} arguments. */
    public EngineConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        Map<String, String> properties = new TreeMap<>(kafkaProperties);
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length()) {
                properties.put(key.substring(KAFKA_PROPERTIES_PREFIX.length()), value);
            } else if (DEFAULTS.containsKey(key)) {
                merged.put(key, value);
            } else {
                errors.add(key + ": unknown setting");
            }
        }
        EngineConfigRules.validate(merged, errors);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return new EngineConfig(merged, properties);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, List<String> errors) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, out, errors);
            } else if (value.isArray()) {
                errors.add(key + ": must be a single value, not a list");
            } else {
                out.put(key, value.isNull() ? "" : value.asText());
            }
        }
    }

    static boolean isZero(String duration) {
        return duration.trim().matches("0+(ms|s|m|h|d)?");
    }

    static TimeMode parseTimeMode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "processing" -> TimeMode.PROCESSING;
            case "event" -> TimeMode.EVENT;
            default -> throw new IllegalArgumentException("'" + text + "' is not processing or event");
        };
    }

    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException(key + ": unknown setting");
        }
        return value;
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String groupId() {
        return get(GROUP_ID);
    }

    public String transactionalIdPrefix() {
        return get(TRANSACTIONAL_ID_PREFIX);
    }

    public long transactionTimeoutMs() {
        return Durations.parseMillis(get(TRANSACTION_TIMEOUT));
    }

    /** Extra Kafka client settings for every source and sink (values may be secrets: never log them). */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    public String eventsTopic() {
        return get(TOPIC_EVENTS);
    }

    public String deltasTopic() {
        return get(TOPIC_DELTAS);
    }

    public String deadLettersTopic() {
        return get(TOPIC_DEAD_LETTERS);
    }

    public String definitionsTopic() {
        return get(TOPIC_DEFINITIONS);
    }

    public String dsrRequestsTopic() {
        return get(TOPIC_DSR_REQUESTS);
    }

    public String dsrCompletionsTopic() {
        return get(TOPIC_DSR_COMPLETIONS);
    }

    public String connectionControlTopic() {
        return get(TOPIC_CONNECTION_CONTROL);
    }

    public String deliveryDeadLettersTopic() {
        return get(TOPIC_DELIVERY_DLQ);
    }

    /** Whether the job creates the topics it lacks at start (else it refuses to start). */
    public boolean createTopics() {
        return Boolean.parseBoolean(get(CREATE_TOPICS).toLowerCase(Locale.ROOT));
    }

    /** Partitions of topics the job creates; empty: the broker's num.partitions. */
    public Optional<Integer> topicPartitions() {
        int n = Integer.parseInt(get(TOPIC_PARTITIONS));
        return n == 0 ? Optional.empty() : Optional.of(n);
    }

    /** Replication factor of topics the job creates; empty: the broker's default.replication.factor. */
    public Optional<Short> topicReplicationFactor() {
        int n = Integer.parseInt(get(TOPIC_REPLICATION));
        return n == 0 ? Optional.empty() : Optional.of((short) n);
    }

    /** Event time: how far behind the newest record timestamp of a partition its watermark stays. */
    public long maxOutOfOrdernessMs() {
        String text = get(MAX_OUT_OF_ORDERNESS);
        return isZero(text) ? 0 : Durations.parseMillis(text);
    }

    public long checkpointIntervalMs() {
        return Durations.parseMillis(get(CHECKPOINT_INTERVAL));
    }

    /** Empty: the cluster's own {@code execution.checkpointing.dir}. */
    public String checkpointDir() {
        return get(CHECKPOINT_DIR);
    }

    public String stateBackend() {
        return get(STATE_BACKEND).toLowerCase(Locale.ROOT);
    }

    /** Empty when not set: then {@code flink run -p N} or the cluster's default decides. */
    public Optional<Integer> parallelism() {
        int n = Integer.parseInt(get(PARALLELISM));
        return n == 0 ? Optional.empty() : Optional.of(n);
    }

    public int maxParallelism() {
        return Integer.parseInt(get(MAX_PARALLELISM));
    }

    public TimeMode timeMode() {
        return parseTimeMode(get(TIME_MODE));
    }

    public long profileLifetimeMs() {
        return Durations.parseMillis(get(PROFILE_LIFETIME));
    }

    public Path audiencesFile() {
        return Path.of(get(AUDIENCES_FILE));
    }

    public Optional<Path> connectionsFile() {
        String file = get(CONNECTIONS_FILE);
        return file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file));
    }

    /** The engine's own settings for the graph, with the definitions in force at start. */
    public EngineSettings toEngineSettings(String definitionsJson) {
        return EngineSettings.builder(definitionsJson)
                .timeMode(timeMode())
                .profileLifetimeMs(profileLifetimeMs())
                .maxParallelism(maxParallelism())
                .build();
    }

    /** One line per setting for a start-up log; pass-through Kafka properties show names only. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        kafkaProperties.keySet().forEach(k -> out.append(KAFKA_PROPERTIES_PREFIX).append(k).append(": (set)\n"));
        return out.toString();
    }

    private static Map<String, String> defaults(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
