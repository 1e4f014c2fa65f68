package org.audienceengine.bench;

import org.audienceengine.definitions.Definitions;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.profile.Deduplication;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserProfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The per-batch cost of the engine's own classes, without Flink, on one thread: what the keyed
 * operator does for a batch in live mode (load the profile, evaluate the instants its timer owed,
 * parse and apply the batch, find the next instant, store the profile), each step timed, with
 * the profile values in a plain map instead of RocksDB. For profiling and for the split of the
 * cost by step; the throughput figures come from {@link ThroughputBench}.
 *
 * <p>{@code bench/run steps [USERS] [BATCHES] [AUDIENCES,...] [live]}; {@code bench/RESULTS.md} has the
 * figures. Each batch is evaluated at its batch time, a month of them, as replay and the job in
 * event time do, so most batches catch up on window edges first; with {@code live}, at a clock
 * that starts after the last batch time and advances as the live job's does in processing time
 * at 20,000 batches/s, so that few edges pass during the run and the steps are the live job's.
 */
public final class StepBench {
    private StepBench() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
        String[] sets = args.length > 2 ? args[2].split(",") : new String[] {"19", "100", "1000"};
        boolean live = args.length > 3 && args[3].equals("live");
        System.out.println("| audiences | µs/batch | parse | load | timers | apply + evaluate | next instant | store "
                + "| catch-ups/batch | deltas/batch | bytes/user mean | bytes/user p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String set : sets) {
            System.out.println(run(users, batches, set, live));
        }
    }

    /** The benchmarks' {@code key=value} arguments over their defaults. */
    static Map<String, String> options(String[] args, Map<String, String> defaults) {
        Map<String, String> opts = new HashMap<>(defaults);
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !defaults.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown benchmark argument '" + arg + "'; known: " + defaults.keySet());
            }
            opts.put(kv[0], kv[1]);
        }
        return opts;
    }

    /**
     * The shipped audiences for "19", else a generated set of that many; "1000/100" is 1,000 of
     * which only the first 100 read what the batches carry ({@link BenchAudiences}).
     */
    static String document(String set) throws Exception {
        if (set.equals("19")) {
            return Files.readString(Path.of("conf/audiences.json"));
        }
        String[] parts = set.split("/", 2);
        int count = Integer.parseInt(parts[0]);
        return BenchAudiences.document(count, parts.length > 1 ? Integer.parseInt(parts[1]) : count, 7);
    }

    static String run(int users, int batches, String set, boolean live) throws Exception {
        Steps steps = new Steps(users, batches, set, live);
        steps.next(batches);
        return steps.row();
    }

    /**
     * One run over the bench's batches, resumable: {@link #next} takes the next batches, so that
     * {@link StepAB} can alternate two builds' runs in one process. The second half is measured.
     */
    public static final class Steps {
        private static final long END = 1_780_000_000_000L;
        private static final int LIVE_BATCHES_PER_MS = 20;
        private final String set;
        private final boolean live;
        private final int batches;
        private final ProfileEvaluator ev;
        private final BenchBatches source;
        private final Map<Long, byte[]> state = new HashMap<>();
        private BiConsumer<byte[], UserProfile> observer;
        private final long[] nanos = new long[6];
        private long deltas;
        private long instants;
        private int measured;
        private int done;

        /** At the batch times; kept so that {@link StepAB} still runs builds from before {@code live}. */
        public Steps(int users, int batches, String set) throws Exception {
            this(users, batches, set, false);
        }

        public Steps(int users, int batches, String set, boolean live) throws Exception {
            this.set = set;
            this.live = live;
            this.batches = batches;
            this.ev = new ProfileEvaluator(Definitions.parseValid(document(set)), 90L * 86_400_000, true);
            this.source = new BenchBatches(users, batches, END, 30L * 86_400_000, 11);
        }

        /**
         * Told of each measured batch, after its step: the value its profile was loaded from
         * (null for a new user) and the profile as the step left it.
         */
        public void observe(BiConsumer<byte[], UserProfile> observer) {
            this.observer = observer;
        }

        /** The stored profile values. */
        public Collection<byte[]> stored() {
            return state.values();
        }

        /** Takes up to {@code n} more batches; returns the nanoseconds they took. */
        public long next(int n) {
            long start = System.nanoTime();
            for (int stop = Math.min(batches, done + n); done < stop; done++) {
                step(source.next(), done >= batches / 2);
            }
            return System.nanoTime() - start;
        }

        private void step(byte[] payload, boolean measure) {
            long t0 = System.nanoTime();
            Batch batch = BatchParser.parse(payload, null).batch();
            long now = live ? END + done / LIVE_BATCHES_PER_MS : batch.batchTime;
            long t1 = System.nanoTime();
            byte[] stored = state.get(batch.mpid);
            UserProfile p = stored == null ? null : ProfileCodec.decode(stored);
            long t2 = System.nanoTime();
            int flips = 0;
            int owed = 0;
            if (p != null && p.timerAt != Long.MIN_VALUE && p.timerAt <= now) {
                // As the job catches up on the timers a user's batch overtook.
                owed++;
                List<MembershipDelta> expired = new ArrayList<>();
                long next = ev.catchUp(batch.mpid, p, p.timerAt, now, expired);
                if (next <= now) {
                    expired.addAll(ev.removeAll(batch.mpid, p, ev.expiresAt(p), Reason.PROFILE_EXPIRED));
                    p = null;
                } else {
                    p.timerAt = Long.MIN_VALUE;
                }
                flips += expired.size();
            }
            long t3 = System.nanoTime();
            if (p == null) {
                p = ProfileEvaluator.newProfile(now);
            }
            Deduplication.dropSeenEvents(p, batch);
            List<MembershipDelta> out = ev.applyBatch(batch.mpid, p, batch, now);
            Deduplication.remember(p, batch);
            flips += out.size();
            long t4 = System.nanoTime();
            long next = ev.nextInstant(p, now, false);
            p.timerAt = next == Long.MAX_VALUE ? Long.MIN_VALUE : next;
            long t5 = System.nanoTime();
            state.put(batch.mpid, ProfileCodec.encode(p));
            long t6 = System.nanoTime();
            if (measure && observer != null) {
                observer.accept(stored, p);
            }
            if (measure) {
                measured++;
                deltas += flips;
                instants += owed;
                nanos[0] += t1 - t0;
                nanos[1] += t2 - t1;
                nanos[2] += t3 - t2;
                nanos[3] += t4 - t3;
                nanos[4] += t5 - t4;
                nanos[5] += t6 - t5;
            }
        }

        /** The table row of the measured batches. */
        public String row() {
            long total = Arrays.stream(nanos).sum();
            int[] sizes = state.values().stream().mapToInt(v -> v.length).sorted().toArray();
            StringBuilder row = new StringBuilder("| " + set + " | " + us(total, measured));
            for (long n : nanos) {
                row.append(" | ").append(us(n, measured));
            }
            return row.append(String.format(" | %.2f | %.2f | %.0f | %d |", instants / (double) measured,
                    deltas / (double) measured, Arrays.stream(sizes).average().orElse(0),
                    sizes[(int) (sizes.length * 0.99)])).toString();
        }
    }

    private static String us(long nanos, int n) {
        return String.format("%.1f", nanos / 1000.0 / n);
    }
}
