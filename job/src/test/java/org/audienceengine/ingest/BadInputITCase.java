package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.ingest.TestBatches.MAPPER;
import static org.audienceengine.ingest.TestBatches.T;
import static org.audienceengine.ingest.TestBatches.attributes;
import static org.audienceengine.ingest.TestBatches.json;
import static org.audienceengine.ingest.TestBatches.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.connectors.file.JsonLinesFileSink;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.ingest.Rejection.Reason;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.job.FlinkDefaults;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.replay.JsonLinesFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The engine's graph at parallelism 2 on RocksDB, fed one record of every kind of bad input of
 * events.md between good batches: each bad record is dead-lettered exactly once, where it came
 * from, with its reason; the job finishes; and the good batches yield exactly the deltas they
 * yield without the bad ones around them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BadInputITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final long MINUTE = 60_000L;
    private static final long DAY = 24 * 60 * MINUTE;
    private static final String DEFINITIONS = json("""
            {'audiences': [
              {'id': 1, 'name': 'Big spenders', 'criteria': {'event': {'type': 'commerce_event', 'name': 'purchase',
                'within': '30d', 'sum': {'attribute': '$total_amount', 'op': 'gte', 'value': 250}}}},
              {'id': 2, 'name': 'Browsing now', 'criteria': {'event': {'type': 'screen_view', 'within': '30m',
                'count': {'op': 'gte', 'value': 3}}}},
              {'id': 3, 'name': 'Pro with email', 'criteria': {'and': [
                {'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}},
                {'identity': {'type': 'email', 'op': 'exists'}}]}},
              {'id': 4, 'name': 'Reviewers', 'criteria': {'event': {'type': 'product_review', 'within': '7d'}}}]}""");

    /** A record that must be dead-lettered for this reason. */
    private record Bad(String kind, byte[] payload, Reason reason) {}

    /** One run of the job: its result and its two outputs, read back from the part files. */
    private record Run(JobExecutionResult result, List<String> deltas, List<JsonNode> deadLetters) {}

    @TempDir
    static Path dir;

    static Path mixedFile;
    static final Map<Long, Bad> BAD_BY_LINE = new HashMap<>();
    static List<byte[]> goodLines;
    static Run mixed;
    static Run goodOnly;

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES) // the class-level timeout covers only the tests
    static void runWithAndWithoutTheBadRecords(@InjectMiniCluster MiniCluster cluster) throws Exception {
        goodLines = goodBatches();
        List<Bad> bad = badRecords();
        // Good batches spread evenly between the bad records, in their own order.
        List<byte[]> lines = new ArrayList<>();
        int good = 0;
        for (int i = 0; i < bad.size(); i++) {
            while (good < (i + 1) * goodLines.size() / bad.size()) {
                lines.add(goodLines.get(good++));
            }
            lines.add(bad.get(i).payload());
            BAD_BY_LINE.put((long) lines.size(), bad.get(i));
        }
        mixedFile = write("mixed.jsonl", lines);
        mixed = run(cluster, mixedFile, "mixed");
        goodOnly = run(cluster, write("good.jsonl", goodLines), "good-only");
    }

    @Test
    void everyBadRecordIsDeadLetteredOnceWithItsReasonAndPosition() {
        Map<Long, JsonNode> byLine = new HashMap<>();
        for (JsonNode letter : mixed.deadLetters()) {
            assertThat(letter.path("source").path("file").asText()).isEqualTo(mixedFile.toString());
            JsonNode previous = byLine.put(letter.path("source").path("line").asLong(), letter);
            assertThat(previous).as("dead-lettered twice: %s", letter).isNull();
        }
        assertThat(byLine.keySet()).containsExactlyInAnyOrderElementsOf(BAD_BY_LINE.keySet());
        BAD_BY_LINE.forEach((line, bad) -> {
            JsonNode letter = byLine.get(line);
            assertThat(letter.path("reason").asText()).as(bad.kind()).isEqualTo(bad.reason().label());
            assertThat(letter.path("detail").asText()).as(bad.kind()).isNotBlank();
            // Not UTF-8 text cannot travel in a JSON string as it is; it arrives as decoded text.
            String text = new String(bad.payload(), StandardCharsets.UTF_8);
            if (text.length() > DeadLetter.MAX_PAYLOAD_CHARS) {
                assertThat(letter.path("payload").asText()).as(bad.kind()).isEqualTo(text.substring(0, 64 * 1024));
                assertThat(letter.path("payload_truncated").asBoolean()).as(bad.kind()).isTrue();
            } else {
                assertThat(letter.path("payload").asText()).as(bad.kind()).isEqualTo(text);
                assertThat(letter.has("payload_truncated")).as(bad.kind()).isFalse();
            }
        });
        assertThat(goodOnly.deadLetters()).isEmpty();
    }

    @Test
    void theOversizedBatchKeepsOnly64KiBOfPayloadAndSaysSo() {
        Bad tooLarge = BAD_BY_LINE.values().stream().filter(b -> b.reason() == Reason.TOO_LARGE).findFirst().orElseThrow();
        assertThat(tooLarge.payload()).hasSize(256 * 1024 + 1);
        JsonNode letter = mixed.deadLetters().stream()
                .filter(l -> l.path("reason").asText().equals("too_large")).findFirst().orElseThrow();
        assertThat(letter.path("payload").asText()).hasSize(64 * 1024);
        assertThat(letter.path("payload_truncated").asBoolean()).isTrue();
        assertThat(letter.path("detail").asText()).isEqualTo("batch is 262145 bytes, over 256 KiB");
    }

    @Test
    void goodBatchesGiveTheSameDeltasWithOrWithoutBadRecordsAround() {
        assertThat(goodOnly.deltas()).isNotEmpty();
        assertThat(mixed.deltas()).isEqualTo(goodOnly.deltas());
        // The good batches exercise every audience, adds and removes, so that a bad batch that
        // slipped through into any of those users would change the output.
        List<JsonNode> deltas = goodOnly.deltas().stream().map(BadInputITCase::parseJson).toList();
        assertThat(deltas).extracting(d -> d.path("audience_id").asInt()).contains(1, 2, 3, 4);
        assertThat(deltas).extracting(d -> d.path("action").asText() + ":" + d.path("reason").asText())
                .contains("add:criteria", "remove:criteria", "remove:expiry");
        assertThat(deltas).extracting(d -> d.path("mpid").asLong())
                .contains(1001L, 1002L, 1005L, MpidDerivation.derive("email", "bob@example.com"),
                        MpidDerivation.derive("customer_id", "c-7"));
    }

    @Test
    void jobReportsAcceptedBatchesAndCountsRejectionsPerReason() {
        for (Run run : List.of(mixed, goodOnly)) {
            JobExecutionResult result = run.result();
            assertThat((Long) result.getAccumulatorResult(IngestFunction.ACCEPTED_ACCUMULATOR)).isEqualTo(goodLines.size());
            assertThat((Long) result.getAccumulatorResult(UserAudiencesOperator.APPLIED_ACCUMULATOR)).isEqualTo(goodLines.size());
        }
        Map<Reason, Long> expected = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            expected.put(reason, 0L);
        }
        BAD_BY_LINE.values().forEach(b -> expected.merge(b.reason(), 1L, Long::sum));
        assertThat(deadLetteredPerReason(mixed)).isEqualTo(expected);
        expected.replaceAll((reason, count) -> 0L);
        assertThat(deadLetteredPerReason(goodOnly)).isEqualTo(expected);
        assertThat(sum(METRICS.findMetrics(mixed.result().getJobID(), "batchesAccepted"))).isEqualTo(goodLines.size());
    }

    /** The ingest operator's per-reason counters, summed over its subtasks. */
    private static Map<Reason, Long> deadLetteredPerReason(Run run) {
        Map<String, Metric> counters = METRICS.findMetrics(run.result().getJobID(), "batchesDeadLettered");
        Map<Reason, Long> perReason = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            Map<String, Metric> ofReason = new HashMap<>(counters);
            ofReason.keySet().removeIf(id -> !id.contains(".reason." + reason.label() + "."));
            assertThat(ofReason).as("counters of %s in %s", reason, counters.keySet()).hasSize(2);
            perReason.put(reason, sum(ofReason));
        }
        return perReason;
    }

    private static long sum(Map<String, Metric> counters) {
        return counters.values().stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    private static Run run(MiniCluster cluster, Path events, String name) throws Exception {
        Path parts = dir.resolve(name);
        EngineSettings settings = EngineSettings.builder(DEFINITIONS).timeMode(TimeMode.EVENT).build();
        // The extension offers its environment only inside tests; both runs happen before them.
        StreamExecutionEnvironment env =
                new TestStreamEnvironment(cluster, FlinkDefaults.boundedRunConfiguration(), 2, List.of(), List.of());
        env.setMaxParallelism(settings.maxParallelism());
        FileSource<RawRecord> source = FileSource.forRecordStreamFormat(
                new JsonLinesFormat(events.toString(), 0), new org.apache.flink.core.fs.Path(events.toUri())).build();
        DataStream<RawRecord> input = env.fromSource(source, WatermarkStrategy.noWatermarks(), "events").uid("events");
        AudienceEngineJob.Outputs outputs = AudienceEngineJob.build(input, settings);
        outputs.deltas().sinkTo(new JsonLinesFileSink<>(parts, "deltas", new DeltaJson())).uid("deltas");
        outputs.deadLetters().sinkTo(new JsonLinesFileSink<>(parts, "dlq", new DeadLetterJson())).uid("dlq");
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        JobExecutionResult result = env.execute(name);
        List<String> deltas = readParts(parts, "deltas").sorted().toList();
        List<JsonNode> deadLetters = readParts(parts, "dlq").map(BadInputITCase::parseJson).toList();
        return new Run(result, deltas, deadLetters);
    }

    private static Stream<String> readParts(Path parts, String prefix) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(parts)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix + "-")).toList()) {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        return lines.stream().filter(l -> !l.isBlank());
    }

    private static JsonNode parseJson(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, List<byte[]> lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.write(line);
            out.write('\n');
        }
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    private static byte[] bytes(String singleQuoted) {
        return json(singleQuoted).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String purchase(long at, int amount) {
        return "{'event_type': 'commerce_event', 'data': {'timestamp_unixtime_ms': " + at + ","
                + " 'product_action': {'action': 'purchase', 'total_amount': " + amount + ", 'products': [{'id': 'p'}]}}}";
    }

    private static String screenView(long at) {
        return "{'event_type': 'screen_view', 'data': {'screen_name': 'home', 'timestamp_unixtime_ms': " + at + "}}";
    }

    /** Batches that between them add and remove users in every audience, for several reasons. */
    private static List<byte[]> goodBatches() {
        List<byte[]> good = new ArrayList<>();
        good.add(bytes("{'mpid': 1001, 'environment': 'production', 'events': [" + purchase(T, 300) + "]}"));
        good.add(bytes("{'mpid': 1001, 'environment': 'production', 'events': [" + screenView(T + MINUTE) + ", " + screenView(T + 2 * MINUTE) + ", "
                + screenView(T + 3 * MINUTE) + "]}"));
        good.add(bytes("{'mpid': '1002', 'environment': 'production', 'timestamp_unixtime_ms': " + (T + 60 * MINUTE) + ", 'user_attributes': {'plan': 'pro'},"
                + " 'user_identities': {'email': ' Ann@Example.com'}}"));
        good.add(bytes("{'mpid': 1002, 'environment': 'production', 'timestamp_unixtime_ms': " + (T + 2 * DAY) + ", 'user_attributes': {'plan': 'free'}}"));
        good.add(bytes("{'environment': 'production', 'user_identities': {'email': ' Bob@Example.COM'}, 'timestamp_unixtime_ms': " + (T + 3 * 60 * MINUTE) + ","
                + " 'events': [{'event_type': 'product_review', 'data': {'stars': 4}}]}"));
        good.add(bytes("{'environment': 'production', 'user_identities': {'customer_id': 'c-7'}, 'events': [" + purchase(T + DAY, 100) + "]}"));
        good.add(bytes("{'mpid': 1003, 'environment': 'production', 'timestamp_unixtime_ms': " + (T + 10 * MINUTE) + ", 'device_info': {'platform': 'iOS'},"
                + " 'consent_state': {'gdpr': {'marketing': {'consented': true}}}}"));
        good.add(bytes("{'environment': 'production', 'user_identities': {'customer_id': 'c-7', 'email': 'c7@example.com'}, 'events': ["
                + purchase(T + 5 * DAY, 200) + "]}"));
        good.add(bytes("{'mpid': 1001, 'environment': 'production', 'events': [" + purchase(T + 40 * DAY, 260) + "]}"));
        // Exactly 256 KiB: the largest batch that may pass.
        ObjectNode atLimit = (ObjectNode) read("{'mpid': 1005, 'environment': 'production', 'events': [" + purchase(T + 7 * DAY, 500) + "], 'padding': ''}");
        atLimit.put("padding", "x".repeat(BatchParser.MAX_BATCH_BYTES - bytes(atLimit).length));
        good.add(bytes(atLimit));
        good.add(bytes("{'mpid': 1006, 'environment': 'production', 'timestamp_unixtime_ms': " + (T + 4 * DAY) + ", 'events': [{'event_type': 'screen_view'},"
                + " {'event_type': 'screen_view'}, {'event_type': 'screen_view'}]}"));
        return good;
    }

    /**
     * A batch that would change what users 1001 and 1002 are members of (a big purchase, a pro
     * plan), were any part of it applied.
     */
    private static ObjectNode tempting() {
        return (ObjectNode) read("{'mpid': 1001, 'environment': 'production', 'timestamp_unixtime_ms': " + (T + 20 * DAY) + ","
                + " 'user_identities': {'email': 'ann@example.com'}, 'user_attributes': {'plan': 'pro'},"
                + " 'events': [" + purchase(T + 20 * DAY, 1000) + "]}");
    }

    private static Bad field(String kind, String field, String singleQuotedValue, Reason reason) {
        return new Bad(kind, bytes(tempting().set(field, read(singleQuotedValue))), reason);
    }

    private static Bad event(String kind, String singleQuotedEvent) {
        ObjectNode batch = tempting();
        ((ArrayNode) batch.get("events")).add(read(singleQuotedEvent));
        return new Bad(kind, bytes(batch), Reason.BAD_EVENT);
    }

    private static List<Bad> badRecords() {
        List<Bad> bad = new ArrayList<>();
        bad.add(new Bad("not JSON", bytes("user 1001 bought things"), Reason.NOT_JSON));
        bad.add(new Bad("array", bytes("[" + tempting() + "]"), Reason.NOT_AN_OBJECT));
        bad.add(new Bad("string", bytes("'1001'"), Reason.NOT_AN_OBJECT));
        bad.add(new Bad("number", bytes("1001"), Reason.NOT_AN_OBJECT));
        byte[] whole = bytes(tempting());
        bad.add(new Bad("truncated", Arrays.copyOf(whole, whole.length / 2), Reason.NOT_JSON));
        bad.add(new Bad("binary garbage", garbage(), Reason.NOT_JSON));
        bad.add(field("mpid an object", "mpid", "{'id': 1001}", Reason.WRONG_TYPE));
        bad.add(field("mpid a float", "mpid", "1001.5", Reason.WRONG_TYPE));
        bad.add(field("mpid not numeric", "mpid", "'user-1001'", Reason.WRONG_TYPE));
        bad.add(field("mpid out of range", "mpid", "9223372036854775808", Reason.WRONG_TYPE));
        bad.add(field("events not a list", "events", "{'event_type': 'screen_view'}", Reason.WRONG_TYPE));
        bad.add(field("batch time a string", "timestamp_unixtime_ms", "'" + T + "'", Reason.WRONG_TYPE));
        bad.add(field("event time a string", "events",
                "[{'event_type': 'screen_view', 'data': {'timestamp_unixtime_ms': '" + T + "'}}]", Reason.BAD_EVENT));
        // Near the end of the long range, window arithmetic overflowed and the user's timers spun forever.
        bad.add(field("event time in year 292 million", "events", "[" + purchase(Long.MAX_VALUE - 1000, 300) + "]", Reason.BAD_EVENT));
        bad.add(field("identities not an object", "user_identities", "'ann@example.com'", Reason.WRONG_TYPE));
        bad.add(field("identity a fraction", "user_identities", "{'customer_id': 7.5}", Reason.WRONG_TYPE));
        bad.add(field("no environment", "environment", "null", Reason.WRONG_TYPE));
        bad.add(field("attributes a list", "user_attributes", "[{'plan': 'pro'}]", Reason.WRONG_TYPE));
        bad.add(field("attribute an object", "user_attributes", "{'plan': {'name': 'pro'}}", Reason.WRONG_TYPE));
        bad.add(field("list holding an object", "user_attributes", "{'tags': ['a', {'b': 1}]}", Reason.WRONG_TYPE));
        bad.add(field("environment staging", "environment", "'staging'", Reason.WRONG_TYPE));
        ObjectNode anonymous = tempting();
        anonymous.remove(List.of("mpid", "user_identities"));
        bad.add(new Bad("no identity", bytes(anonymous), Reason.NO_IDENTITY));
        bad.add(new Bad("null identities", bytes(anonymous.set("user_identities", read("{'customer_id': null, 'email': null}"))),
                Reason.NO_IDENTITY));
        ObjectNode tooLarge = tempting().put("padding", "");
        tooLarge.put("padding", "x".repeat(BatchParser.MAX_BATCH_BYTES + 1 - bytes(tooLarge).length));
        bad.add(new Bad("over 256 KiB", bytes(tooLarge), Reason.TOO_LARGE));
        ObjectNode manyAttributes = attributes(101);
        bad.add(new Bad("101 user attributes", bytes(tempting().set("user_attributes", manyAttributes)), Reason.OVER_LIMIT));
        ObjectNode manyOnEvent = tempting();
        ((ObjectNode) manyOnEvent.get("events").get(0).get("data")).set("custom_attributes", attributes(101));
        bad.add(new Bad("101 event attributes", bytes(manyOnEvent), Reason.OVER_LIMIT));
        bad.add(field("name of 257", "user_attributes", "{'" + "n".repeat(257) + "': 1}", Reason.OVER_LIMIT));
        bad.add(field("value of 4097", "user_attributes", "{'bio': '" + "v".repeat(4097) + "'}", Reason.OVER_LIMIT));
        bad.add(field("identity of 257", "user_identities", "{'customer_id': '" + "c".repeat(257) + "'}", Reason.OVER_LIMIT));
        List<String> tags = Stream.iterate(0, i -> i + 1).limit(1001).map(i -> "tag" + i).toList();
        bad.add(field("list of 1001", "user_attributes", "{'tags': " + MAPPER.valueToTree(tags) + "}", Reason.OVER_LIMIT));
        // A name the profile keeps, over 64 KiB in UTF-8: too long for the profile's binary form.
        bad.add(field("device field name of 12000 emoji", "device_info", "{'" + "\uD83D\uDE00".repeat(12_000) + "': 'x'}", Reason.OVER_LIMIT));
        bad.add(event("event not an object", "'screen_view'"));
        bad.add(event("data a string", "{'event_type': 'screen_view', 'data': 'home'}"));
        bad.add(event("no event_type", "{'data': {'screen_name': 'home'}}"));
        bad.add(event("event attribute an object", "{'event_type': 'custom_event', 'data': {'custom_attributes': {'q': {}}}}"));
        bad.add(event("location not numbers",
                "{'event_type': 'session_start', 'data': {'location': {'latitude': 'north', 'longitude': 'west'}}}"));
        bad.add(new Bad("no time at all", bytes("{'mpid': 1001, 'environment': 'production', 'user_attributes': {'plan': 'pro'}}"), Reason.NO_TIME));
        return bad;
    }

    /** Random bytes that are not UTF-8 and hold no line break. */
    private static byte[] garbage() {
        byte[] bytes = new byte[512];
        new Random(2026).nextBytes(bytes);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                bytes[i] = (byte) 0xFF;
            }
        }
        bytes[0] = (byte) 0xC3; // never valid UTF-8 before an ASCII byte
        bytes[1] = 'x';
        return bytes;
    }
}
