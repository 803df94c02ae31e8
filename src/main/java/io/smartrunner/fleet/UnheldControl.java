package io.smartrunner.fleet;

import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.ProfileChange;
import io.smartrunner.time.TimeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pause, unpause or reset of a profile that no live runner holds, written to the database by
 * the runner whose API was asked: the profiles' rows and their events (in the fleet's table, writer
 * {@code api@runner}) in one transaction for all the profiles asked together (a pod's), under their
 * lease rows' locks, so a runner taking one meanwhile waits for it and then reads the new row (the
 * CLI's offline path does the same for one).
 *
 * <p>Why not relay it: in a big fleet most profiles are between sessions and held by nobody, and a
 * relayed control waits for a holder that is not coming: "Pause all" of a thousand-profile pod
 * answered 800 of them queued, their rows still unpaused, and a pause asked for an hour began
 * whenever a runner next took the profile. The events are not in the asking runner's own JSONL
 * log: that log is its loop's alone (one writer), and no session of its is concerned.
 */
final class UnheldControl {
    private final PostgresStateStore store;
    private final ProfileRules rules;
    private final Redactor redactor;
    private final long leaseTtlMs;
    private final TimeSource time;

    UnheldControl(PostgresStateStore store, ProfileRules rules, Redactor redactor, long leaseTtlMs, TimeSource time) {
        this.store = store;
        this.rules = rules;
        this.redactor = redactor;
        this.leaseTtlMs = leaseTtlMs;
        this.time = time;
    }

    /**
     * Each request's profile no live runner holds gets its change (or its refusal), all in one
     * transaction; at most one request per profile, all with the same {@code by}.
     *
     * @param known each profile's row as read before (a profile with none yet starts from it)
     * @return the answer of each profile written or refused, by id; one a live runner holds is
     *         absent (relay it to that runner)
     */
    Map<String, ManualReply> write(List<ManualRequest.StateChange> requests, Map<String, ProfileState> known) {
        Map<String, ManualRequest.StateChange> byId = new HashMap<>();
        requests.forEach(r -> byId.put(r.profileId(), r));
        Map<String, ManualReply> replies = new HashMap<>();
        Map<String, String> held = store.changeEachUnlessHeld(List.copyOf(byId.keySet()), leaseTtlMs, requests.get(0).by(), (id, row) -> {
            ManualRequest.StateChange request = byId.get(id);
            ProfileState s = row != null ? row : known.get(id);
            java.time.Instant now = time.now();
            String refusal = request.refusal(s, now);
            if (refusal != null) {
                replies.put(id, new ManualReply(ManualReply.Outcome.REFUSED, s, refusal));
                return null; // nothing is written for it
            }
            Transition t = request.apply(rules, s, now);
            List<EventRecord> events = t.events().stream().map(redactor::redact).toList();
            replies.put(id, new ManualReply(ManualReply.Outcome.DONE, t.state(), null));
            return new ProfileChange(t.state(), events);
        });
        // held after all (a lease row found locked after the change was made: nothing was written)
        replies.keySet().removeAll(held.keySet());
        return replies;
    }
}
