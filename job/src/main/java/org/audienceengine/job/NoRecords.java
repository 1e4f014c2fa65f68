package org.audienceengine.job;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/** A text stream with no records, for an optional input that a run does not have. */
public final class NoRecords {
    private NoRecords() {}

    /** @param uid the stable uid prefix of the two operators it takes */
    public static DataStream<String> text(StreamExecutionEnvironment env, String uid, String name) {
        // A collection source cannot be empty: one blank record, filtered out.
        return env.fromData(List.of(""), Types.STRING)
                .uid(uid)
                .name(name + ": none")
                .filter(text -> !text.isEmpty())
                .uid(uid + "-filter")
                .name(name + ": drop the blank");
    }
}
