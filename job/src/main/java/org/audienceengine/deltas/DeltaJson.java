package org.audienceengine.deltas;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.audienceengine.connectors.file.JsonLinesFileSink;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON line form of a delta (deltas.md). */
public final class DeltaJson implements JsonLinesFileSink.LineRenderer<MembershipDelta> {
    private static final long serialVersionUID = 1L;
    /**
     * Decimals are read back as BigDecimal, not double: deltas read off the deltas topic are written
     * again to raw (kafka, file) connections, and must say there what the engine said, digit for digit.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    @Override
    public String apply(MembershipDelta delta) {
        return toJson(delta);
    }

    public static String toJson(MembershipDelta delta) {
        try {
            return MAPPER.writeValueAsString(delta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toBytes(MembershipDelta delta) {
        return write(delta);
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MembershipDelta fromJson(String line) {
        try {
            return MAPPER.readValue(line, MembershipDelta.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
