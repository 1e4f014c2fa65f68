package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches written by the serializer before its strings took their own form (as the event-time
 * buffer keeps them in savepoints) read back as they were. The fixture holds, per batch, the
 * payload it was parsed from and the batch as that serializer wrote it: 30 lines of the sample
 * and two batches of non-ASCII text (accents, CJK, an emoji, a lone surrogate, a 300-char value),
 * then an erasure request and a batch with only its payload.
 */
class IngestedBatchFormatTest {

    @Test
    void batchesWrittenBeforeAsciiStringsReadAsTheyWere() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(fixture("ingested-batches-before-ascii-strings.bin"));
        int count = in.readInt();
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            Batch parsed = BatchParser.parse(payload, 5L).batch();
            IngestedBatch expected = new IngestedBatch(parsed.mpid, parsed.batchTime, i, 5L, null);
            expected.batch = parsed;
            IngestedBatch actual = IngestedBatchSerializer.INSTANCE.deserialize(in);
            assertThat(actual).as("batch %d", i).usingRecursiveComparison().isEqualTo(expected);
            strings.addAll(parsed.userAttributes.keySet());
            parsed.events.forEach(e -> strings.add(e.name));
        }
        assertThat(count).isEqualTo(32);
        assertThat(strings).anyMatch(s -> s != null && s.chars().anyMatch(c -> c >= 0x80));

        IngestedBatch erasure = IngestedBatchSerializer.INSTANCE.deserialize(in);
        assertThat(erasure.erasureRequestId).isEqualTo("erase-ü-1");
        assertThat(erasure.batch).isNull();
        IngestedBatch raw = IngestedBatchSerializer.INSTANCE.deserialize(in);
        assertThat(raw.batch).isNull();
        assertThat(BatchParser.parse(raw.payload, 6L).ok()).isTrue();
        assertThat(in.available()).isZero();
    }

    @Test
    void batchesWrittenNowComeBackEqual() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(fixture("ingested-batches-before-ascii-strings.bin"));
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            IngestedBatch old = IngestedBatchSerializer.INSTANCE.deserialize(in);
            IngestedBatch copy = IngestedBatchSerializer.INSTANCE.copy(old);
            assertThat(copy).as("batch %d", i).usingRecursiveComparison().isEqualTo(old);
        }
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream s = IngestedBatchFormatTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(s).as(name).isNotNull();
            return s.readAllBytes();
        }
    }
}
