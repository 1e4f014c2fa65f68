package org.audienceengine.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The desired-state rules of one partner member: coalescing, union of audiences, acknowledgement. */
class MemberStateTest {

    private static AudienceChange change(long audience, long mpid, String action, long seq) {
        return AudienceChange.of("c", audience + ":" + mpid + ":0:" + seq, audience, mpid, action, seq)
                .withIdentity("email", "ann@example.com");
    }

    @Test
    void changesOfOneAudienceCoalesceToTheLatest() {
        MemberState s = new MemberState();
        for (int seq = 1; seq <= 9; seq++) {
            s.apply(change(7, 1, seq % 2 == 1 ? "add" : "remove", seq));
        }
        assertThat(s.entries).hasSize(1);
        assertThat(s.toSend(false)).extracting(c -> c.seq).containsExactly(9L);
        assertThat(s.apply(change(7, 1, "add", 9))).as("a repeat of the latest").isFalse();
    }

    @Test
    void aUnionMemberStaysWhileInAnyAudienceAndGoesWhenInNone() {
        MemberState s = new MemberState();
        s.apply(change(101, 1, "add", 1));
        s.apply(change(102, 1, "add", 1));
        List<AudienceChange> first = s.toSend(true);
        assertThat(first).extracting(c -> c.action).containsExactly("add");
        s.acknowledge(true, first);
        assertThat(s.toSend(true)).isEmpty();

        s.apply(change(101, 1, "remove", 2));
        assertThat(s.toSend(true)).as("still in 102").isEmpty();

        s.apply(change(102, 1, "remove", 2));
        List<AudienceChange> gone = s.toSend(true);
        assertThat(gone).extracting(c -> c.action).containsExactly("remove");
        s.acknowledge(true, gone);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void aRemovalThatArrivesWhileTheAddIsInFlightIsSentAfterIt() {
        MemberState s = new MemberState();
        s.apply(change(9, 1, "add", 1));
        List<AudienceChange> inFlight = s.toSend(true);
        s.apply(change(9, 1, "remove", 2));
        s.acknowledge(true, inFlight);
        assertThat(s.toSend(true)).extracting(c -> c.action).containsExactly("remove");

        MemberState perAudience = new MemberState();
        perAudience.apply(change(9, 1, "add", 1));
        List<AudienceChange> sent = perAudience.toSend(false);
        perAudience.apply(change(9, 1, "remove", 2));
        perAudience.acknowledge(false, sent);
        assertThat(perAudience.toSend(false)).extracting(c -> c.seq).containsExactly(2L);
        perAudience.acknowledge(false, perAudience.toSend(false));
        assertThat(perAudience.isEmpty()).isTrue();
    }

    @Test
    void sharesOfAnAccountLimitAddUpToIt() {
        assertThat(ConnectionLane.share(10, 0, 3) + ConnectionLane.share(10, 1, 3) + ConnectionLane.share(10, 2, 3)).isEqualTo(10);
        assertThat(ConnectionLane.share(3000, 0, 2)).isEqualTo(1500);
        assertThat(ConnectionLane.share(1, 1, 2)).as("every instance can make progress").isEqualTo(1);
    }
}
