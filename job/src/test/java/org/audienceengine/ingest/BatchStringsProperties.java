package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Any Java string comes back as it went (lone surrogates too), ASCII ones in their own form, and
 * strings that Flink's StringValue wrote (batches written before that form) read as they were.
 */
class BatchStringsProperties {

    @Property(tries = 500)
    void anyStringComesBack(@ForAll @StringLength(max = 400) String s) throws IOException {
        assertThat(readBack(written(s))).isEqualTo(s);
    }

    @Property(tries = 300)
    void asciiStringsTakeTheirOwnForm(@ForAll @CharRange(from = 0, to = 127) @StringLength(max = 400) String s)
            throws IOException {
        byte[] bytes = written(s);
        assertThat(bytes[0]).isZero();
        assertThat(readBack(bytes)).isEqualTo(s);
    }

    @Property(tries = 500)
    void stringsStringValueWroteReadAsTheyWere(@ForAll @StringLength(max = 400) String s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        StringValue.writeString(s, out);
        out.writeInt(0x5eed);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(BatchStrings.read(in)).isEqualTo(s);
        // Read to its end, not past it.
        assertThat(in.readInt()).isEqualTo(0x5eed);
    }

    private static byte[] written(String s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        BatchStrings.write(s, out);
        return out.getCopyOfBuffer();
    }

    private static String readBack(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        String s = BatchStrings.read(in);
        assertThat(in.available()).isZero();
        return s;
    }
}
