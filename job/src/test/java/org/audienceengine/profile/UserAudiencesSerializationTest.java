package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.definitions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.IngestedBatchSerializer;
import org.audienceengine.serialization.ExplicitTypeInfo;
import org.audienceengine.serialization.JacksonTypeInfo;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.Optional;

/**
 * The harness runs without a Kryo fallback, so the other operator tests also prove that the
 * engine's records and state never need one; this checks that the setting really bites.
 */
class UserAudiencesSerializationTest {
    /** Keeps an Optional in state: Flink has no serializer for it but Kryo. */
    private static final class GenericStateFunction extends KeyedProcessFunction<Long, IngestedBatch, MembershipDelta> {
        @Override
        public void open(OpenContext context) {
            getRuntimeContext().getState(new ValueStateDescriptor<>("generic", TypeInformation.of(Optional.class)));
        }

        @Override
        public void processElement(IngestedBatch batch, Context ctx, Collector<MembershipDelta> out) {}
    }

    @Test
    void harnessRejectsStateThatWouldFallBackToKryo() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Long, IngestedBatch, MembershipDelta> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new GenericStateFunction()), IngestedBatch::getMpid, Types.LONG)) {
            Harness.configure(h, Harness.Backend.ROCKSDB);
            assertThatThrownBy(h::open).hasStackTraceContaining("Generic types have been disabled");
        }
    }

    /** Every line of the sample, parsed once at ingest, reaches the keyed operator unchanged. */
    @Test
    void parsedBatchesSurviveTheirSerializer() throws Exception {
        int parsed = 0;
        // Bytes, not text: the sample holds bad lines on purpose, some not even UTF-8.
        String sample = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("../conf/sample/events.jsonl")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String line : sample.split("\n")) {
            org.audienceengine.ingest.BatchParser.Result result =
                    org.audienceengine.ingest.BatchParser.parse(line.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 5L);
            if (!result.ok()) {
                continue;
            }
            IngestedBatch in = new IngestedBatch(result.batch().mpid, result.batch().batchTime, 7, 5L, null);
            in.batch = result.batch();
            IngestedBatch out = IngestedBatchSerializer.INSTANCE.copy(in);
            assertThat(out).usingRecursiveComparison().isEqualTo(in);
            parsed++;
        }
        assertThat(parsed).isGreaterThan(1000);
    }

    @Test
    void engineRecordsHaveNonGenericTypes() throws Exception {
        assertThat(TypeInformation.of(IngestedBatch.class)).isInstanceOf(ExplicitTypeInfo.class);
        assertThat(TypeInformation.of(MembershipDelta.class)).isInstanceOf(JacksonTypeInfo.class);
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'user_attribute': {'name': 'a', 'op': 'exists'}}")))) {
            h.push(batch(1, T0).attribute("a", 1));
            assertThat(h.watermark(T0)).singleElement().satisfies(d -> assertThat(d.deltaId).isEqualTo("1:1:" + T0 + ":1"));
        }
    }
}
