package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened at the simulator, as opposed to the partner state it produced: requests per
 * endpoint, responses per endpoint and status, injected faults, duplicate deliveries, and the
 * highest concurrency each Mailchimp key reached. Tests and benchmarks read these to tell "the
 * partner ended in the right state" apart from "and the output behaved while getting there".
 */
final class Counters {

    /** Recorded instead of a status when the connection was closed without a response. */
    static final String NO_RESPONSE = "none";

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicLong>> responses = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> duplicates = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> maxConcurrent = new ConcurrentHashMap<>();

    void request(String endpoint) {
        count(requests, endpoint);
    }

    void response(String endpoint, String status) {
        count(responses.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>()), status);
    }

    void fault(FaultSpec.Kind kind) {
        count(faults, kind.key());
    }

    void duplicate(String webhook) {
        count(duplicates, webhook);
    }

    void concurrency(String keyLabel, long inFlight) {
        maxConcurrent.computeIfAbsent(keyLabel, k -> new AtomicLong()).accumulateAndGet(inFlight, Math::max);
    }

    void clear() {
        requests.clear();
        responses.clear();
        faults.clear();
        duplicates.clear();
        maxConcurrent.clear();
    }

    void writeTo(ObjectNode out) {
        write(out.putObject("requests"), requests);
        ObjectNode byEndpoint = out.putObject("responses");
        Map<String, Long> byStatus = new TreeMap<>();
        new TreeMap<>(responses).forEach((endpoint, statuses) -> {
            ObjectNode node = byEndpoint.putObject(endpoint);
            new TreeMap<>(statuses).forEach((status, n) -> {
                node.put(status, n.get());
                byStatus.merge(status, n.get(), Long::sum);
            });
        });
        ObjectNode total = out.putObject("responses_by_status");
        byStatus.forEach(total::put);
        ObjectNode faultNode = out.putObject("faults");
        for (FaultSpec.Kind k : FaultSpec.Kind.values()) {
            AtomicLong n = faults.get(k.key());
            faultNode.put(k.key(), n == null ? 0 : n.get());
        }
        long dupTotal = duplicates.values().stream().mapToLong(AtomicLong::get).sum();
        out.put("duplicates", dupTotal);
        write(out.putObject("duplicates_by_webhook"), duplicates);
        write(out.putObject("mailchimp_max_concurrent"), maxConcurrent);
    }

    private static void count(Map<String, AtomicLong> map, String key) {
        map.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private static void write(ObjectNode node, Map<String, AtomicLong> map) {
        new TreeMap<>(map).forEach((k, v) -> node.put(k, v.get()));
    }
}
