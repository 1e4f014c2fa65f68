package org.audienceengine.ingest;

/**
 * One input record before parsing, with where it came from: a file and line, or a topic,
 * partition and offset. A POJO so that Flink serializes it without Kryo.
 */
public class RawRecord {
    /** File path or topic name. */
    public String source;
    /** Kafka partition; -1 for files. */
    public int partition;
    /** Line number (1-based) in a file, or Kafka offset. */
    public long offset;
    /**
     * Position in the input used to order batches with equal times: for files, the file's
     * index on the command line in the high bits and the line number in the low bits.
     */
    public long order;
    /** Wall-clock time the record was read; null in replay, where only event time counts. */
    public Long receivedAt;
    public byte[] payload;

    public RawRecord() {}

    public RawRecord(String source, int partition, long offset, long order, Long receivedAt, byte[] payload) {
        this.source = source;
        this.partition = partition;
        this.offset = offset;
        this.order = order;
        this.receivedAt = receivedAt;
        this.payload = payload;
    }
}
