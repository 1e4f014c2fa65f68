package org.audienceengine.delivery;

import com.fasterxml.jackson.annotation.JsonIgnore;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.serialization.JacksonTypeInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The desired partner state of one member of one connection, in keyed state: per (audience,
 * mpid) the latest change and what the partner last acknowledged. Changes for the member
 * overwrite each other while a call is in flight, the connection is faulted or backing off, so
 * it holds one entry per (audience, mpid) of the member however long the partner is away; an
 * entry leaves once the partner holds its removal.
 */
@TypeInfo(JacksonTypeInfo.Factory.class)
public class MemberState {

    /** The latest change of one (audience, mpid) and the delta id the partner acknowledged. */
    public static class Entry {
        public AudienceChange latest;
        public String ackedDeltaId;

        public Entry() {}
    }

    public List<Entry> entries = new ArrayList<>();
    /** Union outputs (a Mailchimp list): the status the partner last acknowledged; null unknown. */
    public Boolean partnerMember;

    public MemberState() {}

    /** Records a change as the latest of its (audience, mpid); false for a repeat of the latest. */
    public boolean apply(AudienceChange change) {
        Entry e = find(change);
        if (e == null) {
            e = new Entry();
            entries.add(e);
        } else if (Objects.equals(e.latest.deltaId, change.deltaId)) {
            return false;
        }
        e.latest = change;
        return true;
    }

    /**
     * What the partner must be told now, empty when it is up to date. A union output gets one
     * change: an add (subscribed) while any audience of the connection holds the member, else a
     * remove. Other outputs get the latest change of every (audience, mpid) not yet acknowledged.
     */
    public List<AudienceChange> toSend(boolean union) {
        List<AudienceChange> out = new ArrayList<>();
        if (union) {
            Entry in = entries.stream().filter(e -> e.latest.isAdd()).findFirst().orElse(null);
            boolean member = in != null;
            if (!entries.isEmpty() && !Objects.equals(partnerMember, member)) {
                out.add(member ? in.latest : entries.get(entries.size() - 1).latest);
            }
            return out;
        }
        for (Entry e : entries) {
            if (!Objects.equals(e.latest.deltaId, e.ackedDeltaId)) {
                out.add(e.latest);
            }
        }
        return out;
    }

    /**
     * Records that the partner holds what was sent (or that it was dead-lettered: given up, and
     * left to the dead-letter re-drive). Entries whose removal the partner holds are dropped.
     */
    public void acknowledge(boolean union, List<AudienceChange> sent) {
        if (union) {
            partnerMember = sent.get(0).isAdd();
            // A removal still matters while it is what keeps the list member due to go.
            boolean anyIn = entries.stream().anyMatch(e -> e.latest.isAdd());
            if (!partnerMember || anyIn) {
                entries.removeIf(e -> !e.latest.isAdd());
            }
            return;
        }
        for (AudienceChange s : sent) {
            Entry e = find(s);
            if (e != null) {
                e.ackedDeltaId = s.deltaId;
            }
        }
        entries.removeIf(e -> !e.latest.isAdd() && Objects.equals(e.latest.deltaId, e.ackedDeltaId));
    }

    /** Nothing left to remember: the partner does not hold the member, and nothing is due. */
    @JsonIgnore
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    private Entry find(AudienceChange c) {
        for (Entry e : entries) {
            if (e.latest.audienceId == c.audienceId && e.latest.mpid == c.mpid) {
                return e;
            }
        }
        return null;
    }
}
