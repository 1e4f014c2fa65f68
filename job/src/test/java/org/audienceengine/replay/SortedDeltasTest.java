package org.audienceengine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

class SortedDeltasTest {
    @TempDir
    Path dir;

    @Test
    void runsSortedOnDiskMergeIntoReportOrder() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int at = 0; at < 6; at++) {
            for (int mpid = 2; mpid >= 1; mpid--) {
                for (int audience = 1; audience <= 2; audience++) {
                    lines.add(line(100 + at, mpid, audience, at + 1));
                }
            }
        }
        List<String> shuffled = new ArrayList<>(lines);
        Collections.shuffle(shuffled, new Random(3));
        Files.write(dir.resolve("deltas-0"), shuffled.subList(0, 10));
        Files.write(dir.resolve("deltas-1"), shuffled.subList(10, shuffled.size()));
        Files.write(dir.resolve("dlq-0"), List.of("{\"not\":\"a delta\"}"));

        List<String> seen = new ArrayList<>();
        List<SortedDeltas.Keyed> keyed = new ArrayList<>();
        SortedDeltas.forEach(dir, "deltas", dir, 3, d -> {
            seen.add(d.text());
            keyed.add(d);
        });
        // Read back from the run files, each delta still has every field its own line gives.
        assertThat(keyed).allSatisfy(d -> assertThat(d).isEqualTo(SortedDeltas.Keyed.of(d.text())));
        assertThat(keyed).extracting(SortedDeltas.Keyed::add).contains(true, false);

        List<String> expected = new ArrayList<>(lines);
        expected.sort((a, b) -> {
            SortedDeltas.Keyed x = SortedDeltas.Keyed.of(a);
            SortedDeltas.Keyed y = SortedDeltas.Keyed.of(b);
            int c = Long.compare(x.effectiveAt(), y.effectiveAt());
            c = c != 0 ? c : Long.compare(x.mpid(), y.mpid());
            return c != 0 ? c : Integer.compare(x.audience(), y.audience());
        });
        assertThat(seen).hasSize(24).isEqualTo(expected);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("deltas-0", "deltas-1", "dlq-0");
        }
    }

    private static String line(long at, long mpid, int audience, int seq) {
        return "{\"audience_id\":" + audience + ",\"mpid\":" + mpid + ",\"action\":\"" + (seq % 2 == 1 ? "add" : "remove")
                + "\",\"reason\":\"" + (audience == 1 ? "criteria" : "expiry") + "\",\"identities\":{\"email\":\"a\\tb\"},\"effective_at\":" + at + ",\"seq\":" + seq + "}";
    }
}
