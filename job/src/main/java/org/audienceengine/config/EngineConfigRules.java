package org.audienceengine.config;

import static org.audienceengine.config.EngineConfig.AUDIENCES_FILE;
import static org.audienceengine.config.EngineConfig.BOOTSTRAP_SERVERS;
import static org.audienceengine.config.EngineConfig.CHECKPOINT_INTERVAL;
import static org.audienceengine.config.EngineConfig.CREATE_TOPICS;
import static org.audienceengine.config.EngineConfig.GROUP_ID;
import static org.audienceengine.config.EngineConfig.MAX_OUT_OF_ORDERNESS;
import static org.audienceengine.config.EngineConfig.MAX_PARALLELISM;
import static org.audienceengine.config.EngineConfig.PARALLELISM;
import static org.audienceengine.config.EngineConfig.PROFILE_LIFETIME;
import static org.audienceengine.config.EngineConfig.STATE_BACKEND;
import static org.audienceengine.config.EngineConfig.TIME_MODE;
import static org.audienceengine.config.EngineConfig.TOPIC_CONNECTION_CONTROL;
import static org.audienceengine.config.EngineConfig.TOPIC_DEAD_LETTERS;
import static org.audienceengine.config.EngineConfig.TOPIC_DEFINITIONS;
import static org.audienceengine.config.EngineConfig.TOPIC_DELIVERY_DLQ;
import static org.audienceengine.config.EngineConfig.TOPIC_DELTAS;
import static org.audienceengine.config.EngineConfig.TOPIC_DSR_COMPLETIONS;
import static org.audienceengine.config.EngineConfig.TOPIC_DSR_REQUESTS;
import static org.audienceengine.config.EngineConfig.TOPIC_EVENTS;
import static org.audienceengine.config.EngineConfig.TOPIC_PARTITIONS;
import static org.audienceengine.config.EngineConfig.TOPIC_REPLICATION;
import static org.audienceengine.config.EngineConfig.TRANSACTIONAL_ID_PREFIX;
import static org.audienceengine.config.EngineConfig.TRANSACTION_TIMEOUT;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What makes each setting of {@link EngineConfig} valid; every error names its key. */
final class EngineConfigRules {
    private static final int MAX_TOPIC_NAME = 249;
    private static final long MIN_CHECKPOINT_INTERVAL_MS = 10;

    private EngineConfigRules() {}

    static void validate(Map<String, String> v, List<String> errors) {
        for (String key : List.of(BOOTSTRAP_SERVERS, GROUP_ID, TRANSACTIONAL_ID_PREFIX, AUDIENCES_FILE)) {
            if (v.get(key).isEmpty()) {
                errors.add(key + ": must not be empty");
            }
        }
        for (String key : List.of(TOPIC_EVENTS, TOPIC_DELTAS, TOPIC_DEAD_LETTERS, TOPIC_DEFINITIONS,
                TOPIC_DSR_REQUESTS, TOPIC_DSR_COMPLETIONS, TOPIC_CONNECTION_CONTROL, TOPIC_DELIVERY_DLQ)) {
            String topic = v.get(key);
            if (topic.isEmpty() || topic.length() > MAX_TOPIC_NAME || !topic.matches("[A-Za-z0-9._-]+")
                    || topic.equals(".") || topic.equals("..")) {
                errors.add(key + ": '" + topic + "' is not a Kafka topic name");
            }
        }
        if (!EngineConfig.isZero(v.get(MAX_OUT_OF_ORDERNESS))) {
            try {
                Durations.parseMillis(v.get(MAX_OUT_OF_ORDERNESS));
            } catch (IllegalArgumentException e) {
                errors.add(MAX_OUT_OF_ORDERNESS + ": " + e.getMessage());
            }
        }
        for (String key : List.of(CHECKPOINT_INTERVAL, PROFILE_LIFETIME, TRANSACTION_TIMEOUT)) {
            try {
                long ms = Durations.parseMillis(v.get(key));
                if (key.equals(CHECKPOINT_INTERVAL) && ms < MIN_CHECKPOINT_INTERVAL_MS) {
                    errors.add(key + ": must be at least " + MIN_CHECKPOINT_INTERVAL_MS + "ms");
                }
            } catch (IllegalArgumentException e) {
                errors.add(key + ": " + e.getMessage());
            }
        }
        String backend = v.get(STATE_BACKEND).toLowerCase(Locale.ROOT);
        if (!backend.equals("rocksdb") && !backend.equals("hashmap")) {
            errors.add(STATE_BACKEND + ": '" + v.get(STATE_BACKEND) + "' is not rocksdb or hashmap");
        }
        String create = v.get(CREATE_TOPICS).toLowerCase(Locale.ROOT);
        if (!create.equals("true") && !create.equals("false")) {
            errors.add(CREATE_TOPICS + ": '" + v.get(CREATE_TOPICS) + "' is not true or false");
        }
        integer(v, TOPIC_PARTITIONS, 0, 10_000, errors);
        integer(v, TOPIC_REPLICATION, 0, 32, errors);
        Integer max = integer(v, MAX_PARALLELISM, 1, 32_768, errors);
        Integer parallelism = integer(v, PARALLELISM, 0, 32_768, errors);
        if (max != null && parallelism != null && parallelism > max) {
            errors.add(PARALLELISM + ": " + parallelism + " is above " + MAX_PARALLELISM + " " + max);
        }
        try {
            EngineConfig.parseTimeMode(v.get(TIME_MODE));
        } catch (IllegalArgumentException e) {
            errors.add(TIME_MODE + ": " + e.getMessage());
        }
    }

    private static Integer integer(Map<String, String> v, String key, int min, int max, List<String> errors) {
        try {
            int n = Integer.parseInt(v.get(key));
            if (n < min || n > max) {
                errors.add(key + ": " + n + " is not between " + min + " and " + max);
                return null;
            }
            return n;
        } catch (NumberFormatException e) {
            errors.add(key + ": '" + v.get(key) + "' is not a whole number");
            return null;
        }
    }

}
