package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.connectors.file.JsonLinesFileSink;

/**
 * The JSON form of a dead letter: {@code reason}, {@code detail}, {@code source} ({@code file} and
 * {@code line}, or {@code topic}, {@code partition} and {@code offset}) and the {@code payload}.
 */
public final class DeadLetterJson implements JsonLinesFileSink.LineRenderer<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    @Override
    public String apply(DeadLetter letter) {
        return toJson(letter);
    }

    public static String toJson(DeadLetter letter) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("reason", letter.reason);
        node.put("detail", letter.detail);
        ObjectNode source = node.putObject("source");
        if (letter.partition < 0) {
            source.put("file", letter.source);
            source.put("line", letter.offset);
        } else {
            source.put("topic", letter.source);
            source.put("partition", letter.partition);
            source.put("offset", letter.offset);
        }
        node.put("payload", letter.payload);
        if (letter.payloadTruncated) {
            node.put("payload_truncated", true);
        }
        return node.toString();
    }
}
