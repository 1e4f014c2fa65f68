package org.audienceengine.tools.bootstrap;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.replay.JsonLinesFormat;
import org.audienceengine.tools.state.SavepointState;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * New audiences given their history: one batch job that reads the profiles operator's state
 * and the events history, grafts onto each profile what only the new audiences read
 * ({@link HistoryGraft}), and writes a new savepoint with that operator's state replaced
 * ({@link ProfileStateWriter}) and every other operator's copied as it was.
 */
final class Bootstrap {
    private static final OperatorIdentifier PROFILES = OperatorIdentifier.forUid(AudienceEngineJob.AUDIENCES_UID);

    /** What the new document adds: the audiences, and the series they need that the live ones do not keep as long. */
    record Additions(Set<Integer> audiences, Set<Long> series) {}

    private Bootstrap() {}

    /** Null when {@code proposed} only adds audiences to {@code live}; otherwise why it cannot be bootstrapped. */
    static String refusal(AudienceSet live, AudienceSet proposed) {
        for (int id : proposed.changedSince(live)) {
            if (live.audience(id) != null) {
                return "audience " + id + " is live and " + (proposed.audience(id) == null ? "removed" : "changed")
                        + " by the new document: bootstrap only adds audiences (publish changes to live ones as a"
                        + " definitions change, before or after)";
            }
        }
        return null;
    }

    static Additions additions(AudienceSet live, AudienceSet proposed) {
        Set<Integer> audiences = new TreeSet<>();
        for (Audience a : proposed.inEvaluationOrder()) {
            if (live.audience(a.id()) == null) {
                audiences.add(a.id());
            }
        }
        Set<Long> series = new TreeSet<>();
        for (EventSeries s : proposed.series()) {
            EventSeries kept = live.series(s.key());
            if (kept == null || kept.retentionBuckets() < s.retentionBuckets()) {
                series.add(s.key());
            }
        }
        return new Additions(audiences, series);
    }

    /** Where the history comes from: JSON Lines files, or the events topic (then {@code files} is empty). */
    record History(List<Path> files, String bootstrapServers, String topic) {
        boolean fromKafka() {
            return topic != null;
        }
    }

    /**
     * Where history from the events topic starts: the longest window of the series to fill, and
     * a bucket more, before the state's time. Earlier events are in no window the new audiences
     * read at the resume (their seqs then count from there, not from each user's first batch).
     */
    static long historyStart(SavepointState state, AudienceSet proposed, Additions additions) throws Exception {
        long longest = 0;
        for (long key : additions.series()) {
            EventSeries s = proposed.series(key);
            longest = Math.max(longest, (s.retentionBuckets() + 1) * s.bucketMillis());
        }
        return state.time() - longest;
    }

    static void run(SavepointState state, AudienceSet proposed, Additions additions, History history, long lifetimeMs,
            Path out) throws Exception {
        StreamExecutionEnvironment env = state.writingEnvironment();
        DataStream<StoredUser> users = state.reader(env)
                .readKeyedState(PROFILES, new StoredUserReader(), Types.LONG, TypeInformation.of(StoredUser.class));
        DataStream<RawRecord> raw = history.fromKafka()
                ? KafkaHistory.read(env, history.bootstrapServers(), history.topic(), historyStart(state, proposed, additions),
                        KafkaHistory.sourceOffsets(state))
                : null;
        for (int i = 0; i < history.files().size(); i++) {
            Path file = history.files().get(i).toAbsolutePath();
            FileSource<RawRecord> source = FileSource.forRecordStreamFormat(new JsonLinesFormat(file.toString(), i),
                    new org.apache.flink.core.fs.Path(file.toUri())).build();
            DataStream<RawRecord> lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), "History " + file.getFileName());
            raw = raw == null ? lines : raw.union(lines);
        }
        // The job's own ingest: what it rejects (and dead-letters) counts in no history either.
        DataStream<IngestedBatch> batches = raw.process(new IngestFunction(false)).name("History: parse batches");
        DataStream<StoredUser> grafted = users
                .keyBy(u -> u.mpid, Types.LONG)
                .connect(batches.keyBy(b -> b.getMpid(), Types.LONG))
                .process(new HistoryGraft(proposed, additions.series(), additions.audiences(), state.time(), lifetimeMs,
                        state.eventTime()), TypeInformation.of(StoredUser.class))
                .name("Graft the new audiences' history onto each profile");
        StateBootstrapTransformation<StoredUser> profiles = OperatorTransformation.bootstrapWith(grafted)
                .keyBy(u -> u.mpid, Types.LONG)
                .transform(ProfileStateWriter.factory(
                        UserAudiencesOperator.definitionsInstalled(state.definitionEntries(), proposed.sourceJson()),
                        state.eventTimeReached()));
        SavepointWriter.fromExistingSavepoint(env, state.path().toUri().toString(), new EmbeddedRocksDBStateBackend())
                .removeOperator(PROFILES)
                .withOperator(PROFILES, profiles)
                .write(out.toAbsolutePath().toUri().toString());
        env.execute("bootstrap " + out.getFileName());
    }
}
