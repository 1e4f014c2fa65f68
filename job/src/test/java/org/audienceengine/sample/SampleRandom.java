package org.audienceengine.sample;

import java.util.Random;
import java.util.function.IntUnaryOperator;

/** The sample's one seeded source of randomness, with the draws the generator makes most. */
final class SampleRandom extends Random {
    SampleRandom(long seed) {
        super(seed);
    }

    int pick(int n, IntUnaryOperator weight) {
        int total = 0;
        for (int k = 0; k < n; k++) total += weight.applyAsInt(k);
        int r = nextInt(total);
        for (int k = 0; ; k++) if ((r -= weight.applyAsInt(k)) < 0) return k;
    }

    boolean chance(int percent) {
        return nextInt(100) < percent;
    }

    String any(String... options) {
        return options[nextInt(options.length)];
    }

    String uuid() {
        return String.format("%08x-%04x-4%03x-%x%03x-%012x", nextInt(), nextInt(1 << 16), nextInt(1 << 12),
                8 + nextInt(4), nextInt(1 << 12), nextLong() & 0xffffffffffffL);
    }

    String hex() {
        return String.format("%016x", nextLong());
    }
}
