package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per connection, what delivery did in a run, from the job's accumulators: changes delivered,
 * requests, retries, dead-lettered requests, unmatched changes, members still held at the end
 * and whether the connection ended faulted.
 */
public final class DeliverySummary {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PREFIX = "delivery.";
    private static final String[] COLUMNS = {"delivered", "requests", "retries", "dead_lettered", "unmatched", "held", "faulted"};

    private final Map<String, Map<String, Long>> byConnection = new TreeMap<>();

    private DeliverySummary() {}

    public static DeliverySummary of(Map<String, Object> accumulators) {
        DeliverySummary s = new DeliverySummary();
        accumulators.forEach((name, value) -> {
            int dot = name.lastIndexOf('.');
            if (name.startsWith(PREFIX) && dot > PREFIX.length() && value instanceof Number n) {
                s.byConnection.computeIfAbsent(name.substring(PREFIX.length(), dot), k -> new TreeMap<>())
                        .merge(name.substring(dot + 1), n.longValue(), Long::sum);
            }
        });
        return s;
    }

    public long get(String connectionId, String what) {
        return byConnection.getOrDefault(connectionId, Map.of()).getOrDefault(what, 0L);
    }

    public boolean isEmpty() {
        return byConnection.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode out = MAPPER.createObjectNode();
        byConnection.forEach((id, counts) -> {
            ObjectNode c = out.putObject(id);
            for (String col : COLUMNS) {
                if (col.equals("faulted")) {
                    c.put(col, counts.getOrDefault(col, 0L) > 0);
                } else {
                    c.put(col, counts.getOrDefault(col, 0L));
                }
            }
        });
        return out;
    }

    /** A table for the console: a header and a line per connection. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-20s %10s %9s %8s %13s %10s %7s %s", "connection", "delivered", "requests", "retries",
                "dead_lettered", "unmatched", "held", "state"));
        byConnection.forEach((id, c) -> out.add(String.format("%-20.20s %10d %9d %8d %13d %10d %7d %s", id,
                c.getOrDefault("delivered", 0L), c.getOrDefault("requests", 0L), c.getOrDefault("retries", 0L),
                c.getOrDefault("dead_lettered", 0L), c.getOrDefault("unmatched", 0L), c.getOrDefault("held", 0L),
                c.getOrDefault("faulted", 0L) > 0 ? "faulted" : "ok")));
        return out;
    }
}
