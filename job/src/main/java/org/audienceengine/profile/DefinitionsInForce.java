package org.audienceengine.profile;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Which definitions document is in force, kept in broadcast state so that every parallel instance
 * holds the same answer after a restore or a rescale (README, "Which audiences are in force"):
 *
 * <ul>
 *   <li>at the first start, the file given at submit;
 *   <li>then each valid document from the definitions topic, in topic order, replaces it;
 *   <li>at a restart from a checkpoint or savepoint, the file given at submit is compared with the
 *       file given at the previous start: a changed file is applied as a change at that moment; an
 *       unchanged one leaves the document in force (a published document is not undone by
 *       resubmitting the old file).
 * </ul>
 *
 * <p>Every change that can alter a membership counts one epoch. Profiles carry the epoch they were
 * last evaluated under, so a change reaches each user exactly once: when the backfill walk gets to
 * them, or earlier when a batch or timer touches them. The document before the change stays here
 * (one document) so that such a user can still be brought from it to the new one.
 */
final class DefinitionsInForce {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsInForce.class);

    /** The whole record, one entry per key below. */
    static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("definitions", Types.STRING, Types.STRING);
    static final String CURRENT = "current";
    private static final String PREVIOUS = "previous";
    private static final String EPOCH = "epoch";
    private static final String CHANGED_AT = "changed-at";
    private static final String SUBMITTED = "submitted";

    private final BroadcastState<String, String> state;
    private final boolean reports;
    private AudienceSet current;
    /** Of {@code current}, kept: a gauge reads it at every report. */
    private String fingerprint;
    private AudienceSet previous;
    private Set<Integer> changed = Set.of();
    private int epoch;
    private long changedAt;
    private boolean changedAtStart;

    private DefinitionsInForce(BroadcastState<String, String> state, boolean reports) {
        this.state = state;
        this.reports = reports;
    }

    /**
     * The entries of {@link #STATE} with {@code json} in force as the file given at submit, the
     * epoch and the document before kept: for state whose profiles a tool already brought to
     * {@code json} (no user is to be brought over, and resuming with that file changes nothing).
     */
    static java.util.Map<String, String> installedBeside(java.util.Map<String, String> entries, String json) {
        java.util.Map<String, String> out = new java.util.HashMap<>(entries);
        out.put(CURRENT, json);
        out.put(SUBMITTED, Definitions.fingerprint(json));
        return out;
    }

    /** A set in force that never changes, held nowhere (a user's history replayed in memory). */
    static DefinitionsInForce fixed(AudienceSet set, int epoch) {
        DefinitionsInForce d = new DefinitionsInForce(null, false);
        d.current = set;
        d.fingerprint = Definitions.fingerprint(set.sourceJson());
        d.epoch = epoch;
        return d;
    }

    /**
     * Decides the document in force at start. {@code restoredAt} is when a changed file counts as
     * applied ({@link #changedAtStart()} then says so).
     *
     * @param reports whether this instance writes the log lines (one instance is enough)
     */
    static DefinitionsInForce start(BroadcastState<String, String> state, String submitted, long restoredAt,
            boolean reports) throws Exception {
        DefinitionsInForce d = new DefinitionsInForce(state, reports);
        String submittedFingerprint = Definitions.fingerprint(submitted);
        String inForce = state.get(CURRENT);
        if (inForce == null) {
            d.install(submitted, 0, Long.MIN_VALUE);
            state.put(SUBMITTED, submittedFingerprint);
            d.report("from the file given at submit");
            return d;
        }
        d.current = Definitions.parseValid(inForce);
        d.fingerprint = Definitions.fingerprint(inForce);
        d.epoch = Integer.parseInt(state.get(EPOCH) == null ? "0" : state.get(EPOCH));
        d.changedAt = Long.parseLong(state.get(CHANGED_AT) == null ? Long.toString(Long.MIN_VALUE) : state.get(CHANGED_AT));
        String before = state.get(PREVIOUS);
        if (before != null) {
            d.previous = Definitions.parseValid(before);
            d.changed = d.current.changedSince(d.previous);
        }
        String lastSubmitted = state.get(SUBMITTED);
        state.put(SUBMITTED, submittedFingerprint);
        if (lastSubmitted == null || lastSubmitted.equals(submittedFingerprint)) {
            // A state written before files were compared, or the same file again.
            d.report("kept from the checkpoint; the file given at submit is unchanged");
        } else if (!d.valid(submitted)) {
            d.report("kept from the checkpoint; the file given at submit is not valid (see the warning above)");
        } else if (d.offer(submitted, restoredAt)) {
            d.changedAtStart = true;
            d.report("the file given at submit changed since the last start (" + lastSubmitted + "): applied as a change");
        } else {
            d.report("the file given at submit changed since the last start (" + lastSubmitted + ") in names only");
        }
        return d;
    }

    /**
     * A new document, effective at {@code at}; returns whether it may change a membership (then
     * the epoch has moved and every user must be brought to it). An invalid document changes
     * nothing; one that changes only names replaces the text without a new epoch.
     */
    boolean offer(String json, long at) throws Exception {
        AudienceSet next;
        try {
            next = Definitions.parse(json);
        } catch (Definitions.InvalidDefinitionsException e) {
            if (reports) {
                LOG.warn("Rejected audience definitions; the set in force stays. {}", e.getMessage());
            }
            return false;
        }
        Set<Integer> difference = next.changedSince(current);
        if (difference.isEmpty()) {
            current = next;
            fingerprint = Definitions.fingerprint(json);
            state.put(CURRENT, json);
            return false;
        }
        previous = current;
        state.put(PREVIOUS, current.sourceJson());
        install(json, epoch + 1, at);
        changed = difference;
        if (reports) {
            LOG.info("Audience definitions replaced by document {} ({} audience(s)); {} audience(s) to re-evaluate",
                    fingerprint(), current.inEvaluationOrder().size(), changed.size());
        }
        return true;
    }

    /** Validates, logging why not (the submit command validated it already: this is a safeguard). */
    private boolean valid(String json) {
        try {
            Definitions.parse(json);
            return true;
        } catch (Definitions.InvalidDefinitionsException e) {
            if (reports) {
                LOG.warn("The file given at submit is not valid; the set in force stays. {}", e.getMessage());
            }
            return false;
        }
    }

    /** Whether {@link #start} applied a changed file: every user must be brought to it. */
    boolean changedAtStart() {
        return changedAtStart;
    }

    private void install(String json, int newEpoch, long at) throws Exception {
        current = Definitions.parseValid(json);
        fingerprint = Definitions.fingerprint(json);
        epoch = newEpoch;
        changedAt = at;
        state.put(CURRENT, json);
        state.put(EPOCH, Integer.toString(epoch));
        state.put(CHANGED_AT, Long.toString(at));
    }

    private void report(String how) {
        if (reports) {
            LOG.info("Audience definitions in force: document {} ({} audience(s), epoch {}), {}",
                    fingerprint(), current.inEvaluationOrder().size(), epoch, how);
        }
    }

    AudienceSet current() {
        return current;
    }

    /** The set before the latest change; null before any change. */
    AudienceSet previous() {
        return previous;
    }

    /** The audiences the latest change may flip (with their dependants). */
    Set<Integer> changed() {
        return changed;
    }

    int epoch() {
        return epoch;
    }

    /** When the latest change took effect (processing time, or event time in event-time mode). */
    long changedAt() {
        return changedAt;
    }

    String fingerprint() {
        return fingerprint;
    }
}
