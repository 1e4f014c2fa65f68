package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A savepoint and a retained checkpoint of the live job in event time, taken once every delta of
 * the input is committed: the first lines of the sample, then a record on each partition a day
 * after the last batch, so that event time passes every expiry. Alongside, {@code replay} of the
 * same lines up to that time: the memberships the state must hold.
 */
record LiveSavepoint(Path savepoint, Path checkpoint, Path replay, long time) {
    static final Path AUDIENCES = LiveRun.AUDIENCES;
    private static final long DAY = 86_400_000L;

    static LiveSavepoint take(Path dir, int lines) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = LiveRun.timeOrdered(LiveRun.sample(lines));
        long end = records.get(records.size() - 1).timestamp() + DAY;
        long time = end - 1;
        Path replay = dir.resolve("replay");
        List<JsonNode> expected = LiveRun.replay(LiveRun.write(dir.resolve("events.jsonl"), records), AUDIENCES, time, replay);
        assertThat(expected).hasSizeGreaterThan(100);
        try (LiveRun live = new LiveRun(dir)) {
            live.produce(records, end);
            JobClient job = live.start(Files.readString(AUDIENCES), null);
            assertThat(live.awaitCommitted(expected.size())).hasSameSizeAs(expected);
            Path savepoint = LiveRun.savepoint(job, dir.resolve("savepoints"));
            // Cancelled, the job keeps its latest checkpoint, taken with no input after the deltas.
            job.cancel().get();
            Path checkpoint;
            try (Stream<Path> found = Files.find(dir.resolve("checkpoints"), 3,
                    (p, attributes) -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))) {
                checkpoint = found.max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                        .orElseThrow();
            }
            return new LiveSavepoint(savepoint, checkpoint, replay, time);
        }
    }
}
