package org.audienceengine.bench;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.profile.UserProfile;

import java.util.HashMap;
import java.util.Map;

/**
 * How often the live job's batches arm or move a user's timer on the throughput bench's input,
 * in processing time (the clock advancing as in a run, about 20 batches a millisecond), with the
 * engine's classes: what {@link IoMatchedPipeline} must not exceed.
 *
 * <p>{@code bench/run timers [USERS] [BATCHES] [AUDIENCES]}.
 */
public final class TimerMoves {
    private TimerMoves() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        String set = args.length > 2 ? args[2] : "100";
        AudienceSet audiences = Definitions.parseValid(StepBench.document(set));
        ProfileEvaluator ev = new ProfileEvaluator(audiences, 90L * 86_400_000, true);
        long start = System.currentTimeMillis();
        BenchBatches source = new BenchBatches(users, batches, start, 30L * 86_400_000, 11);
        Map<Long, UserProfile> profiles = new HashMap<>();
        long firstArms = 0;
        long moves = 0;
        long kept = 0;
        for (int i = 0; i < batches; i++) {
            Batch b = BatchParser.parse(source.next(), null).batch();
            long now = start + i / 20;
            UserProfile p = profiles.get(b.mpid);
            long before = p == null ? Long.MIN_VALUE : p.timerAt;
            if (p == null) {
                p = ProfileEvaluator.newProfile(now);
                profiles.put(b.mpid, p);
            }
            ev.applyBatch(b.mpid, p, b, now);
            long next = ev.nextInstant(p, now, false);
            // As the job arms it: no instant ahead, no timer.
            next = next == Long.MAX_VALUE ? Long.MIN_VALUE : next;
            if (next == before) {
                kept++;
            } else if (before == Long.MIN_VALUE) {
                firstArms++;
            } else {
                moves++;
            }
            p.timerAt = next;
        }
        System.out.printf("%,d batches of %,d users, %s audiences: %,d armed a timer where none was, %,d moved or removed one, %,d left it as it was%n",
                batches, users, set, firstArms, moves, kept);
    }
}
