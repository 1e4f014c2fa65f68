package org.audienceengine.tools.state;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.profile.UserAudiencesOperator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A savepoint or retained checkpoint of the live job, read with Flink's State Processor API in an
 * in-process Flink: the definitions in force (broadcast state), the time the job had reached,
 * and the users' profiles (keyed state), through the job's own descriptors and codec.
 */
public final class SavepointState {
    private static final OperatorIdentifier PROFILES = OperatorIdentifier.forUid(AudienceEngineJob.AUDIENCES_UID);
    private static final OperatorIdentifier IDENTITY_INDEX = OperatorIdentifier.forUid(AudienceEngineJob.IDENTITY_INDEX_UID);

    private final Path path;
    private final int parallelism;
    private final Map<String, String> definitions;
    private final long eventTimeReached;
    private final boolean walkUnfinished;

    private SavepointState(Path path, int parallelism) throws Exception {
        this.path = path;
        this.parallelism = parallelism;
        this.definitions = new HashMap<>();
        for (Tuple2<String, String> e : collect(r -> r.readBroadcastState(PROFILES,
                UserAudiencesOperator.DEFINITIONS.getName(), Types.STRING, Types.STRING))) {
            definitions.put(e.f0, e.f1);
        }
        long reached = Long.MIN_VALUE;
        for (Long t : collect(r -> r.readUnionState(PROFILES, UserAudiencesOperator.EVENT_TIME.getName(), Types.LONG))) {
            reached = Math.max(reached, t);
        }
        this.eventTimeReached = reached;
        this.walkUnfinished = !collect(r -> r.readUnionState(PROFILES, UserAudiencesOperator.UNFINISHED.getName(), Types.INT)).isEmpty();
    }

    /** A savepoint directory, a checkpoint's {@code chk-N} directory, or either's {@code _metadata} file. */
    public static SavepointState open(Path path, int parallelism) throws Exception {
        Path dir = path.getFileName() != null && path.getFileName().toString().equals("_metadata") ? path.getParent() : path;
        if (!Files.isRegularFile(dir.resolve("_metadata"))) {
            throw new IOException(path + " is not a savepoint or checkpoint: it has no _metadata file");
        }
        return new SavepointState(dir.toAbsolutePath(), parallelism);
    }

    public Path path() {
        return path;
    }

    /** The definitions document in force when the state was taken. */
    public String definitionsJson() {
        String current = definitions.get(UserAudiencesOperator.DEFINITIONS_CURRENT);
        if (current == null) {
            throw new IllegalStateException(path + " holds no definitions in force: is it a savepoint of the audience engine?");
        }
        return current;
    }

    public AudienceSet definitions() {
        return Definitions.parseValid(definitionsJson());
    }

    /**
     * The time the state stands at: in event time, the time the job had reached; in processing
     * time (no event time in state), when the savepoint was written.
     */
    public long time() throws IOException {
        return eventTimeReached != Long.MIN_VALUE && eventTimeReached != Long.MAX_VALUE
                ? eventTimeReached
                : Files.getLastModifiedTime(path.resolve("_metadata")).toMillis();
    }

    public boolean eventTime() {
        return eventTimeReached != Long.MIN_VALUE;
    }

    /** As the job keeps it: the greatest event time any instance had reached (MIN_VALUE in processing time). */
    public long eventTimeReached() {
        return eventTimeReached;
    }

    /** The broadcast state of the definitions in force, entry by entry. */
    public Map<String, String> definitionEntries() {
        return Map.copyOf(definitions);
    }

    /** Whether a definitions change was still being brought to the users when the state was taken. */
    public boolean walkUnfinished() {
        return walkUnfinished;
    }

    /** Reads it again, in a graph that goes on (a bootstrap writes a new savepoint from it). */
    public SavepointReader reader(StreamExecutionEnvironment env) throws IOException {
        return SavepointReader.read(env, path.toUri().toString(), new EmbeddedRocksDBStateBackend());
    }

    /**
     * An in-process Flink environment for a tool's job that writes a savepoint, in batch
     * execution. The State Processor API's writer passes its own metadata (OperatorState) between
     * its operators with Kryo, so generic types are allowed there; the engine's state types are
     * explicit all the same.
     */
    public StreamExecutionEnvironment writingEnvironment() {
        return environment(true);
    }

    /** Every user the reader emits something for, collected here. */
    public <T> List<T> users(UserReader<T> reader, TypeInformation<T> type) throws Exception {
        return collect(r -> keyed(r, reader, type));
    }

    /** The users' records, for a graph that goes on from them (an aggregate, say). */
    public <T, R> List<R> users(UserReader<T> reader, TypeInformation<T> type, Function<DataStream<T>, DataStream<R>> then)
            throws Exception {
        return collect(r -> then.apply(keyed(r, reader, type)));
    }

    /**
     * The reader's records. The keyed state source of Flink 2.2 also emits a null for each key
     * the reader emitted nothing for; those go here, next to the source (chained, unserialized).
     */
    private static <T> DataStream<T> keyed(SavepointReader r, UserReader<T> reader, TypeInformation<T> type)
            throws Exception {
        return r.readKeyedState(PROFILES, reader, Types.LONG, type).filter(Objects::nonNull).returns(type);
    }

    /** The mpid the job's identity index holds for a hashed identity key, or null when it holds none. */
    public Long indexedMpid(String identityKey) throws Exception {
        List<Long> found = collect(r -> r.readKeyedState(IDENTITY_INDEX, new IdentityIndexReader(identityKey), Types.STRING, Types.LONG)
                .filter(Objects::nonNull).returns(Types.LONG));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Whether the job kept an identity index (processing time with erasure requests). */
    public boolean hasIdentityIndex() {
        try {
            SavepointReader.read(environment(), path.toUri().toString(), new EmbeddedRocksDBStateBackend())
                    .readKeyedState(IDENTITY_INDEX, new IdentityIndexReader(""), Types.STRING, Types.LONG);
            return true;
        } catch (Exception missing) {
            return false;
        }
    }

    private interface Read<T> {
        DataStream<T> from(SavepointReader reader) throws Exception;
    }

    private <T> List<T> collect(Read<T> read) throws Exception {
        StreamExecutionEnvironment env = environment();
        SavepointReader reader = SavepointReader.read(env, path.toUri().toString(), new EmbeddedRocksDBStateBackend());
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = read.from(reader).executeAndCollect("read " + path.getFileName())) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private StreamExecutionEnvironment environment() {
        return environment(false);
    }

    private StreamExecutionEnvironment environment(boolean genericTypes) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(PipelineOptions.GENERIC_TYPES, genericTypes);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }
}
