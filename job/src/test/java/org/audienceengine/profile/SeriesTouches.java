package org.audienceengine.profile;

import org.audienceengine.bench.BenchAudiences;
import org.audienceengine.bench.BenchBatches;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of a user's event series a live batch reads and changes: what a state layout with a
 * state entry per series would read and write per batch beside the rest of the profile. The
 * step split's batches at the live job's clock ({@code StepBench ... live}); the second half is
 * counted. A series is read when its counts were decoded (the batch counted an event in it, or
 * an evaluated audience read it), changed when its counts and buckets differ from before. Then
 * the cost of a decode and encode of each stored profile as it is (its series left packed) and of
 * the same profile without its series: what a profile's series cost the codec when a batch
 * leaves them alone (median of five rounds).
 *
 * <p>{@code bench/run touches [USERS] [BATCHES] [AUDIENCES]}
 */
public final class SeriesTouches {
    private static final long END = 1_780_000_000_000L;

    private SeriesTouches() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int audiences = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        ProfileEvaluator ev = new ProfileEvaluator(
                Definitions.parseValid(BenchAudiences.document(audiences, audiences, 7)), 90L * 86_400_000, true);
        BenchBatches source = new BenchBatches(users, batches, END, 30L * 86_400_000, 11);
        Map<Long, byte[]> state = new HashMap<>();
        long series = 0;
        long read = 0;
        long changed = 0;
        long[] readHistogram = new long[11];
        int counted = 0;
        for (int i = 0; i < batches; i++) {
            Batch batch = BatchParser.parse(source.next(), null).batch();
            long now = END + i / 20;
            byte[] stored = state.get(batch.mpid);
            UserProfile p = stored == null ? ProfileEvaluator.newProfile(now) : ProfileCodec.decode(stored);
            Map<Long, byte[]> before = stored == null ? Map.of() : seriesBytes(ProfileCodec.decode(stored));
            Deduplication.dropSeenEvents(p, batch);
            ev.applyBatch(batch.mpid, p, batch, now);
            Deduplication.remember(p, batch);
            long next = ev.nextInstant(p, now, false);
            p.timerAt = next == Long.MAX_VALUE ? Long.MIN_VALUE : next;
            if (i >= batches / 2) {
                counted++;
                series += p.series.size();
                int r = 0;
                for (int k = 0; k < p.series.size(); k++) {
                    BucketSeries s = p.series.valueAt(k);
                    if (!s.isPacked()) {
                        r++;
                        if (!Arrays.equals(before.get(p.series.keyAt(k)), bytes(s))) {
                            changed++;
                        }
                    }
                }
                read += r;
                readHistogram[Math.min(10, r)]++;
            }
            state.put(batch.mpid, ProfileCodec.encode(p));
        }
        System.out.printf("%d audiences: %.2f series per user's profile; per batch %.2f read, %.2f changed%n",
                audiences, series / (double) counted, read / (double) counted, changed / (double) counted);
        System.out.println("batches by series read (0, 1, … 10 or more): " + Arrays.toString(readHistogram));
        List<byte[]> stored = new ArrayList<>(state.values());
        List<byte[]> withoutSeries = new ArrayList<>();
        for (byte[] value : stored) {
            UserProfile p = ProfileCodec.decode(value);
            p.series.retain((key, s) -> false);
            withoutSeries.add(ProfileCodec.encode(p));
        }
        double[] whole = new double[5];
        double[] rest = new double[5];
        for (int round = 0; round < whole.length; round++) {
            whole[round] = roundTrip(stored);
            rest[round] = roundTrip(withoutSeries);
        }
        Arrays.sort(whole);
        Arrays.sort(rest);
        System.out.printf("decode + encode of a profile as stored: %.2f µs; without its series: %.2f µs%n", whole[2], rest[2]);
    }

    /** µs per decode and encode of each value. */
    private static double roundTrip(List<byte[]> values) {
        long start = System.nanoTime();
        long bytes = 0;
        for (byte[] value : values) {
            bytes += ProfileCodec.encode(ProfileCodec.decode(value)).length;
        }
        if (bytes == 0) {
            throw new IllegalStateException("no profiles");
        }
        return (System.nanoTime() - start) / 1000.0 / values.size();
    }

    private static Map<Long, byte[]> seriesBytes(UserProfile p) {
        Map<Long, byte[]> bytes = new HashMap<>();
        for (int k = 0; k < p.series.size(); k++) {
            bytes.put(p.series.keyAt(k), bytes(p.series.valueAt(k)));
        }
        return bytes;
    }

    private static byte[] bytes(BucketSeries s) {
        ProfileBytes.Out out = new ProfileBytes.Out(64);
        out.bucketNumbers(s);
        out.payload(s);
        return out.bytes();
    }
}
