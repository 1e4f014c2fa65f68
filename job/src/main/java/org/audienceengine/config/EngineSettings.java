package org.audienceengine.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The settings of one engine job, immutable; every mode builds the graph from one of these. */
public final class EngineSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_PROFILE_LIFETIME = Duration.ofDays(90);
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private final String definitionsJson;
    private final TimeMode timeMode;
    private final long profileLifetimeMs;
    private final Long untilMs;
    private final int maxParallelism;
    private final HashMap<Integer, Set<String>> identityTypesUsed;

    private EngineSettings(Builder b) {
        this.definitionsJson = b.definitionsJson;
        this.timeMode = b.timeMode;
        this.profileLifetimeMs = b.profileLifetimeMs;
        this.untilMs = b.untilMs;
        this.maxParallelism = b.maxParallelism;
        this.identityTypesUsed = new HashMap<>(b.identityTypesUsed);
    }

    public static Builder builder(String definitionsJson) {
        return new Builder(definitionsJson);
    }

    /** The audience definitions document in force at start, as JSON text (already validated). */
    public String definitionsJson() {
        return definitionsJson;
    }

    public TimeMode timeMode() {
        return timeMode;
    }

    public long profileLifetimeMs() {
        return profileLifetimeMs;
    }

    /** Replay: nothing after this instant is applied; null for no bound. */
    public Long untilMs() {
        return untilMs;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /**
     * Per audience, the identity types that its connections use ({@link #ANY_IDENTITY} for every
     * user identity): a member's identity change emits {@code identity_change} deltas only when
     * one of these changed (deltas.md). Empty without connections, so no such delta is emitted.
     */
    public Map<Integer, Set<String>> identityTypesUsed() {
        return identityTypesUsed;
    }

    /** These settings with {@link #identityTypesUsed()} replaced. */
    public EngineSettings withIdentityTypesUsed(Map<Integer, Set<String>> byAudience) {
        return new Builder(definitionsJson).timeMode(timeMode).profileLifetimeMs(profileLifetimeMs).untilMs(untilMs)
                .maxParallelism(maxParallelism).identityTypesUsed(byAudience).build();
    }

    /** In {@link #identityTypesUsed()}: every user identity type counts. */
    public static final String ANY_IDENTITY = "*";

    /** Builds {@link EngineSettings}. */
    public static final class Builder {
        private final String definitionsJson;
        private TimeMode timeMode = TimeMode.EVENT;
        private long profileLifetimeMs = DEFAULT_PROFILE_LIFETIME.toMillis();
        private Long untilMs;
        private int maxParallelism = DEFAULT_MAX_PARALLELISM;
        private Map<Integer, Set<String>> identityTypesUsed = Map.of();

        private Builder(String definitionsJson) {
            this.definitionsJson = definitionsJson;
        }

        public Builder timeMode(TimeMode mode) {
            this.timeMode = mode;
            return this;
        }

        public Builder profileLifetimeMs(long ms) {
            this.profileLifetimeMs = ms;
            return this;
        }

        public Builder untilMs(Long ms) {
            this.untilMs = ms;
            return this;
        }

        public Builder maxParallelism(int n) {
            this.maxParallelism = n;
            return this;
        }

        public Builder identityTypesUsed(Map<Integer, Set<String>> byAudience) {
            this.identityTypesUsed = Map.copyOf(byAudience);
            return this;
        }

        public EngineSettings build() {
            if (profileLifetimeMs <= 0) {
                throw new IllegalArgumentException("profile lifetime must be positive");
            }
            return new EngineSettings(this);
        }
    }
}
