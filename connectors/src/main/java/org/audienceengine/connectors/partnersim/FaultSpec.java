package org.audienceengine.connectors.partnersim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which failures the simulator injects, and how often: {@code 5xx=0.10,429=0.05,timeout=0.02,
 * drop=0.01,auth=0,seed=42,slow_ms=15000}. Each rate is the probability that one partner request
 * gets that fault; their sum is at most 1. {@code seed} makes the sequence of decisions
 * repeatable; {@code slow_ms} is how long a {@code timeout} fault holds the request before
 * answering 504, longer than the outputs' 10 s client timeout by default.
 */
public final class FaultSpec {

    /** The kinds of fault, in the order in which one random draw is split between them. */
    public enum Kind {
        SERVER_ERROR("5xx"),
        TOO_MANY_REQUESTS("429"),
        TIMEOUT("timeout"),
        DROP("drop"),
        AUTH("auth");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The name used in the spec and in the fault counters. */
        public String key() {
            return key;
        }
    }

    public static final long DEFAULT_SLOW_MS = 15_000;

    /** No faults at all. */
    public static final FaultSpec NONE = new FaultSpec(new double[Kind.values().length], null, DEFAULT_SLOW_MS);

    private final double[] rates;
    private final Long seed;
    private final long slowMs;

    private FaultSpec(double[] rates, Long seed, long slowMs) {
        this.rates = rates;
        this.seed = seed;
        this.slowMs = slowMs;
    }

    /**
     * Parses a spec. Blank or {@code none} means no faults. Unknown keys, rates outside [0, 1]
     * and rates adding up to more than 1 are rejected, so a typo cannot silently turn a fault off.
     */
    public static FaultSpec parse(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
            return NONE;
        }
        double[] rates = new double[Kind.values().length];
        Long seed = null;
        long slowMs = DEFAULT_SLOW_MS;
        for (String part : spec.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("fault spec item '" + item + "' is not KEY=VALUE");
            }
            String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = item.substring(eq + 1).trim();
            try {
                switch (key) {
                    case "seed" -> seed = Long.parseLong(value);
                    case "slow_ms" -> {
                        slowMs = Long.parseLong(value);
                        if (slowMs < 0) {
                            throw new IllegalArgumentException("slow_ms must not be negative");
                        }
                    }
                    default -> {
                        Kind kind = kindOf(key);
                        double rate = Double.parseDouble(value);
                        if (!(rate >= 0 && rate <= 1)) {
                            throw new IllegalArgumentException(
                                    "fault rate " + key + "=" + value + " is not within [0, 1]");
                        }
                        rates[kind.ordinal()] = rate;
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault spec item '" + item + "' has a bad number", e);
            }
        }
        double sum = 0;
        for (double r : rates) {
            sum += r;
        }
        if (sum > 1 + 1e-9) {
            throw new IllegalArgumentException("fault rates add up to " + sum + ", more than 1");
        }
        return new FaultSpec(rates, seed, slowMs);
    }

    private static Kind kindOf(String key) {
        for (Kind k : Kind.values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + key
                + "' (expected 5xx, 429, timeout, drop, auth, seed or slow_ms)");
    }

    public double rate(Kind kind) {
        return rates[kind.ordinal()];
    }

    /** The seed, or null when every run should draw differently. */
    public Long seed() {
        return seed;
    }

    public long slowMs() {
        return slowMs;
    }

    public boolean isNone() {
        for (double r : rates) {
            if (r > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The fault for one uniform draw {@code u} in [0, 1), or null for none: the unit interval is
     * cut into consecutive slices, one per kind, so one draw decides everything.
     */
    Kind pick(double u) {
        double upTo = 0;
        for (Kind k : Kind.values()) {
            upTo += rates[k.ordinal()];
            if (u < upTo) {
                return k;
            }
        }
        return null;
    }

    /** Where {@code u} falls inside the slice of {@code kind}, in [0, 1); splits 500 from 503. */
    double positionIn(Kind kind, double u) {
        double start = 0;
        for (Kind k : Kind.values()) {
            if (k == kind) {
                break;
            }
            start += rates[k.ordinal()];
        }
        double width = rates[kind.ordinal()];
        return width == 0 ? 0 : Math.min(0.999_999, (u - start) / width);
    }

    /** The rates, seed and delay as a map, for the state document. */
    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            out.put(k.key, rates[k.ordinal()]);
        }
        out.put("seed", seed);
        out.put("slow_ms", slowMs);
        return out;
    }

    /** The spec in the command-line format; parsing it gives an equal spec. */
    @Override
    public String toString() {
        if (isNone() && seed == null && slowMs == DEFAULT_SLOW_MS) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Kind k : Kind.values()) {
            sb.append(k.key).append('=').append(rates[k.ordinal()]).append(',');
        }
        if (seed != null) {
            sb.append("seed=").append(seed).append(',');
        }
        sb.append("slow_ms=").append(slowMs);
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaultSpec f && java.util.Arrays.equals(rates, f.rates)
                && Objects.equals(seed, f.seed) && slowMs == f.slowMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(java.util.Arrays.hashCode(rates), seed, slowMs);
    }
}
