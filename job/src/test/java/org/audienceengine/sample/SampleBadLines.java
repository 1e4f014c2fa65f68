package org.audienceengine.sample;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** events.md's "Bad input", one kind at a time, dressed as the producer bugs that cause them. */
final class SampleBadLines {
    private SampleBadLines() {}

    /**
     * A bad line of the given kind, made from a good line ({@code goodLine}) or from a user's batch
     * header {@code b} at {@code time}.
     */
    static byte[] make(int kind, byte[] goodLine, long time, ObjectNode b, long mpid, Random rng) {
        String good = new String(goodLine, StandardCharsets.UTF_8);
        ArrayNode evs = b.putArray("events");
        evs.addObject().put("event_type", "session_start").putObject("data").put("timestamp_unixtime_ms", time - 2_000);
        switch (kind) {
            case 0 -> { return good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8); } // cut off
            case 1 -> { return ("[" + good + "]").getBytes(StandardCharsets.UTF_8); }
            case 2 -> { // a gzip body sent as if it were JSON
                byte[] garbage = new byte[240];
                rng.nextBytes(garbage);
                garbage[0] = 0x1f;
                garbage[1] = (byte) 0x8b;
                for (int i = 2; i < garbage.length; i++) { // keep it one line, and free of NULs that trip up tools
                    if (garbage[i] == '\n' || garbage[i] == '\r' || garbage[i] == 0) garbage[i] = 0x7f;
                }
                return garbage;
            }
            case 3 -> b.putObject("mpid").put("id", mpid);
            case 4 -> b.putObject("events").put("event_type", "screen_view").putObject("data").put("screen_name", "Home");
            case 5 -> b.put("timestamp_unixtime_ms", "abc");
            case 6 -> b.<ObjectNode>without("mpid").putObject("user_identities").put("other", "LC-00000000");
            case 7 -> b.putObject("user_attributes").put("bio", "Trail runner, climber and weekend camper. ".repeat(100));
            case 8 -> {
                ObjectNode many = b.putObject("user_attributes");
                for (int i = 1; i <= 101; i++) many.put(String.format("pref_%03d", i), i % 3 == 0);
            }
            case 9 -> {
                ArrayNode viewed = b.putObject("user_attributes").putArray("recently_viewed");
                for (int i = 0; i < 1001; i++) viewed.add("SKU-" + (1000 + i));
            }
            case 10 -> ((ObjectNode) b.get("user_identities")).put("customer_id", "C" + "0123456789abcdef".repeat(17));
            default -> {
                ObjectNode screen = evs.addObject().put("event_type", "screen_view").putObject("data");
                screen.put("screen_name", "Home").put("timestamp_unixtime_ms", time);
                evs.addObject().put("event_type", "custom_event").put("data", "Video Watched");
            }
        }
        return SampleGenerator.bytes(b);
    }
}
