package org.audienceengine.ingest;

/** A rejected input record: why, where from, and the payload (truncated past 64 KiB). */
public class DeadLetter {
    public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    public String reason;
    public String detail;
    public String source;
    public int partition;
    public long offset;
    public String payload;
    public boolean payloadTruncated;

    public DeadLetter() {}

    public static DeadLetter of(RawRecord record, Rejection rejection) {
        DeadLetter letter = new DeadLetter();
        letter.reason = rejection.reason().label();
        letter.detail = rejection.detail();
        letter.source = record.source;
        letter.partition = record.partition;
        letter.offset = record.offset;
        String text = record.payload == null
                ? ""
                : new String(record.payload, java.nio.charset.StandardCharsets.UTF_8);
        letter.payloadTruncated = text.length() > MAX_PAYLOAD_CHARS;
        letter.payload = letter.payloadTruncated ? text.substring(0, MAX_PAYLOAD_CHARS) : text;
        return letter;
    }
}
