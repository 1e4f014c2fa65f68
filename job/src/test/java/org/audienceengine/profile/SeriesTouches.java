package org.audienceengine.profile;

import org.audienceengine.bench.StepBench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of a user's event series a live batch reads and changes: what a state layout with a
 * state entry per series would read and write per batch beside the rest of the profile. The
 * step split's run at the live job's clock ({@code StepBench ... live}), each measured batch
 * looked at after its step. A series is read when its counts were decoded (the batch counted an
 * event in it, or an evaluated audience read it), changed when its counts and buckets differ from
 * before. Then
 * the cost of a decode and encode of each stored profile as it is (its series left packed) and of
 * the same profile without its series: what a profile's series cost the codec when a batch
 * leaves them alone (median of five rounds).
 *
 * <p>{@code bench/run touches [USERS] [BATCHES] [AUDIENCES]}
 */
public final class SeriesTouches {
    private SeriesTouches() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int audiences = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        StepBench.Steps steps = new StepBench.Steps(users, batches, String.valueOf(audiences), true);
        long[] counts = new long[4];
        long[] readHistogram = new long[11];
        steps.observe((stored, p) -> {
            Map<Long, byte[]> before = stored == null ? Map.of() : seriesBytes(ProfileCodec.decode(stored));
            int read = 0;
            for (int k = 0; k < p.series.size(); k++) {
                BucketSeries s = p.series.valueAt(k);
                if (!s.isPacked()) {
                    read++;
                    if (!Arrays.equals(before.get(p.series.keyAt(k)), bytes(s))) {
                        counts[3]++;
                    }
                }
            }
            counts[0]++;
            counts[1] += p.series.size();
            counts[2] += read;
            readHistogram[Math.min(10, read)]++;
        });
        steps.next(batches);
        double counted = counts[0];
        System.out.printf("%d audiences: %.2f series per user's profile; per batch %.2f read, %.2f changed%n",
                audiences, counts[1] / counted, counts[2] / counted, counts[3] / counted);
        System.out.println("batches by series read (0, 1, … 10 or more): " + Arrays.toString(readHistogram));
        List<byte[]> stored = new ArrayList<>(steps.stored());
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
