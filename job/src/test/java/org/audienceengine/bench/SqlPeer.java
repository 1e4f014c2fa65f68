package org.audienceengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.kafka.KafkaConnectors;

import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * What a Flink engineer would write instead of the engine, for a few audiences: the batches
 * flattened into one row per event (Jackson, as the bare pipeline parses), a table over them
 * with event time from the events' timestamps, and per audience an OVER window per user (the
 * windowed aggregate of the audience's events up to each event), its verdict per event written
 * to Kafka, exactly once.
 *
 * <p>It is a peer for throughput, not an equal: an OVER window is evaluated only when an event
 * arrives, so no user ever leaves an audience when events age out (the engine's timers); a
 * window is a sliding range of milliseconds where the engine's are buckets (audiences.md); each
 * window length and filter is its own operator with its own copy of the rows in state; and the
 * verdicts are per event, not deltas (turning them into deltas needs the previous verdict per
 * user and audience: more state again).
 */
final class SqlPeer {
    /** The audiences both the engine and the peer evaluate, in the engine's definitions format. */
    static final String DEFINITIONS = "{\"audiences\": ["
            + audience(1, "{\"event\": {\"type\": \"commerce_event\", \"name\": \"purchase\", \"within\": \"1h\","
                    + " \"count\": {\"op\": \"gte\", \"value\": 2}}}") + ","
            + audience(2, "{\"event\": {\"type\": \"commerce_event\", \"name\": \"purchase\", \"within\": \"1d\","
                    + " \"sum\": {\"attribute\": \"$total_amount\", \"op\": \"gte\", \"value\": 500}}}") + ","
            + audience(3, "{\"event\": {\"type\": \"custom_event\", \"name\": \"Video Watched\", \"within\": \"7d\","
                    + " \"count\": {\"op\": \"gte\", \"value\": 3}}}") + ","
            + audience(4, "{\"event\": {\"type\": \"screen_view\", \"name\": \"Checkout\", \"within\": \"30d\","
                    + " \"count\": {\"op\": \"gte\", \"value\": 5}}}") + "]}";

    /** The same four, in SQL: one OVER window per audience, each over the events it filters. */
    private static final String[] QUERIES = {
        over(1, "event_type = 'commerce_event' AND LOWER(name) = 'purchase'", "COUNT(*)", "1' HOUR", ">= 2"),
        over(2, "event_type = 'commerce_event' AND LOWER(name) = 'purchase'", "SUM(amount)", "1' DAY", ">= 500"),
        over(3, "event_type = 'custom_event' AND LOWER(name) = 'video watched'", "COUNT(*)", "7' DAY", ">= 3"),
        over(4, "event_type = 'screen_view' AND LOWER(name) = 'checkout'", "COUNT(*)", "30' DAY", ">= 5"),
    };

    private SqlPeer() {}

    static void build(StreamExecutionEnvironment env, EngineConfig config, String outputTopic,
            UnaryOperator<DataStream<RawRecord>> beforeParse) {
        DataStream<Row> events = beforeParse.apply(env
                        .fromSource(KafkaConnectors.batches(config, OffsetsInitializer.latest()),
                                WatermarkStrategy.noWatermarks(), "Events from Kafka")
                        .uid("sql-events-source"))
                .flatMap(new Flatten()).uid("sql-flatten").name("SQL peer: one row per event")
                .returns(Flatten.ROW)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Row>forBoundedOutOfOrderness(Duration.ofMinutes(1))
                        .withTimestampAssigner((row, previous) -> ((Instant) row.getField(4)).toEpochMilli()))
                .uid("sql-watermarks");
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.createTemporaryView("events", tables.fromDataStream(events, Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build()));
        Table verdicts = tables.sqlQuery(String.join(" UNION ALL ", QUERIES));
        tables.toDataStream(verdicts)
                .map(Row::toString).returns(Types.STRING).uid("sql-to-text").name("SQL peer: verdict as text")
                .sinkTo(BarePipeline.textSink(config, outputTopic, "-sql"))
                .uid("sql-sink").name("SQL peer: to Kafka");
    }

    private static String audience(int id, String criteria) {
        return "{\"id\": " + id + ", \"name\": \"Peer " + id + "\", \"enabled\": true, \"criteria\": " + criteria + "}";
    }

    private static String over(int audience, String filter, String aggregate, String range, String test) {
        return "SELECT mpid, " + audience + " AS audience, rowtime, COALESCE(v " + test + ", FALSE) AS is_member FROM ("
                + "SELECT mpid, rowtime, " + aggregate + " OVER (PARTITION BY mpid ORDER BY rowtime"
                + " RANGE BETWEEN INTERVAL '" + range + " PRECEDING AND CURRENT ROW) AS v"
                + " FROM events WHERE " + filter + ")";
    }

    /** A batch as rows (mpid, event_type, name, amount, time). */
    private static final class Flatten implements FlatMapFunction<RawRecord, Row> {
        static final TypeInformation<Row> ROW = Types.ROW_NAMED(
                new String[] {"mpid", "event_type", "name", "amount", "event_time"},
                Types.LONG, Types.STRING, Types.STRING, Types.DOUBLE, Types.INSTANT);
        private static final ObjectMapper MAPPER = new ObjectMapper();

        @Override
        public void flatMap(RawRecord record, Collector<Row> out) throws Exception {
            JsonNode batch = MAPPER.readTree(record.payload);
            long mpid = batch.path("mpid").asLong();
            for (JsonNode event : batch.path("events")) {
                String type = event.path("event_type").asText();
                JsonNode data = event.path("data");
                JsonNode action = data.path("product_action");
                String name = switch (type) {
                    case "screen_view" -> data.path("screen_name").asText();
                    case "commerce_event" -> action.path("action").asText();
                    default -> data.path("event_name").asText(type);
                };
                Double amount = action.has("total_amount") ? action.get("total_amount").asDouble() : null;
                out.collect(Row.of(mpid, type, name, amount,
                        Instant.ofEpochMilli(data.path("timestamp_unixtime_ms").asLong())));
            }
        }
    }
}
