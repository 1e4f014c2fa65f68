package org.audienceengine.delivery;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * One partner request in flight or waiting to be retried: the members it carries and, per
 * member, the changes sent (what is acknowledged when it succeeds). Lives in memory only: after
 * a restore, its members are still pending in keyed state and are sent again.
 */
final class OutgoingCall {
    final List<String> keys = new ArrayList<>();
    final List<List<AudienceChange>> sent = new ArrayList<>();
    PartnerRequest request;
    int attempts;
    long firstSentAt = -1;
    long sentAt;

    void add(String key, List<AudienceChange> changes) {
        keys.add(key);
        sent.add(changes);
    }

    int size() {
        int n = 0;
        for (List<AudienceChange> s : sent) {
            n += s.size();
        }
        return n;
    }

    List<AudienceChange> changes() {
        List<AudienceChange> all = new ArrayList<>(size());
        sent.forEach(all::addAll);
        return all;
    }

    List<String> deltaIds() {
        List<String> ids = new ArrayList<>(size());
        sent.forEach(s -> s.forEach(c -> ids.add(c.deltaId)));
        return ids;
    }
}
