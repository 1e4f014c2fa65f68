package org.audienceengine.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.erasure.ErasureCompletion;
import org.audienceengine.erasure.ErasureRequest;
import org.audienceengine.erasure.IdentityKeys;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Erasure requests for a replay. Requests by identity are resolved here, before the job runs,
 * against the batches of the replay itself: the mpid is that of the latest batch (by batch time)
 * at or before the request's {@code received_at} that carried the identity — what the live
 * index would have answered at that moment. (The live job resolves them with its identity index;
 * in a bounded replay the whole input is read at once, so the index could not tell "before".)
 */
public final class ReplayErasures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Requests for the job (all by mpid) and the not_found completions of the unresolvable. */
    public record Resolved(List<String> requests, List<String> notFound, List<String> rejected) {}

    private ReplayErasures() {}

    public static Resolved resolve(Path dsrFile, List<Path> events) throws IOException {
        List<ErasureRequest> byIdentity = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (String line : Files.readAllLines(dsrFile, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                ErasureRequest r = ErasureRequest.parse(line.getBytes(StandardCharsets.UTF_8), Long.MIN_VALUE);
                if (r.receivedAt == Long.MIN_VALUE) {
                    throw new IllegalArgumentException("received_at is required in a replay");
                }
                if (r.byIdentity()) {
                    byIdentity.add(r);
                } else {
                    requests.add(byMpid(r, r.mpid));
                }
            } catch (IllegalArgumentException e) {
                rejected.add(dsrFile + ": " + e.getMessage() + ": " + line);
            }
        }
        List<String> notFound = new ArrayList<>();
        if (!byIdentity.isEmpty()) {
            Map<String, TreeMap<Long, Long>> carriers = carriers(events, byIdentity);
            for (ErasureRequest r : byIdentity) {
                TreeMap<Long, Long> times = carriers.get(r.identityKey());
                Map.Entry<Long, Long> latest = times == null ? null : times.floorEntry(r.receivedAt);
                if (latest == null) {
                    notFound.add(ErasureCompletion.json(r.requestId, null, ErasureCompletion.NOT_FOUND, r.receivedAt, 0));
                } else {
                    requests.add(byMpid(r, latest.getValue()));
                }
            }
        }
        return new Resolved(requests, notFound, rejected);
    }

    /** Per wanted identity key: batch time → mpid of the latest batch at that time carrying it. */
    private static Map<String, TreeMap<Long, Long>> carriers(List<Path> events, List<ErasureRequest> wanted)
            throws IOException {
        Map<String, TreeMap<Long, Long>> carriers = new HashMap<>();
        for (ErasureRequest r : wanted) {
            carriers.put(r.identityKey(), new TreeMap<>());
        }
        for (Path file : events) {
            try (BufferedReader in = reader(file)) {
                String line;
                while ((line = in.readLine()) != null) {
                    BatchParser.Result parsed = BatchParser.parse(line.getBytes(StandardCharsets.UTF_8), null);
                    if (!parsed.ok()) {
                        continue;
                    }
                    Batch b = parsed.batch();
                    for (Map.Entry<String, String> id : b.userIdentities.entrySet()) {
                        if (id.getValue() != null) {
                            TreeMap<Long, Long> times = carriers.get(IdentityKeys.of(id.getKey(), id.getValue()));
                            if (times != null) {
                                times.put(b.batchTime, b.mpid);
                            }
                        }
                    }
                }
            }
        }
        return carriers;
    }

    private static BufferedReader reader(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static String byMpid(ErasureRequest r, long mpid) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("request_id", r.requestId);
        node.put("type", "erasure");
        node.put("mpid", mpid);
        node.put("received_at", r.receivedAt);
        return node.toString();
    }
}
