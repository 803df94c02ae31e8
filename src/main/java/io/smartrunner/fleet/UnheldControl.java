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
import java.util.List;
import java.util.Optional;

/**
 * A pause, unpause or reset of a profile that no live runner holds, written to the database by
 * the runner whose API was asked: the profile's row and its events (in the fleet's table, writer
 * {@code api@runner}) in one transaction, under the lease row's lock, so a runner taking the
 * profile meanwhile waits for it and then reads the new row (the CLI's offline path does the same).
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
     * @param known the profile's row as read before (a row deleted since is written back from it)
     * @return the answer, or empty when a live runner holds the profile: relay it to that one
     */
    Optional<ManualReply> write(ManualRequest.StateChange request, ProfileState known) {
        ManualReply[] reply = {null};
        Optional<String> holder;
        try {
            holder = store.changeUnlessHeld(request.profileId(), leaseTtlMs, request.by(), row -> {
                ProfileState s = row != null ? row : known;
                String refusal = request.refusal(s);
                if (refusal != null) {
                    reply[0] = new ManualReply(ManualReply.Outcome.REFUSED, s, refusal);
                    throw new Refused(); // nothing is written
                }
                Transition t = request.apply(rules, s, time.now());
                List<EventRecord> events = t.events().stream().map(redactor::redact).toList();
                reply[0] = new ManualReply(ManualReply.Outcome.DONE, t.state(), null);
                return new ProfileChange(t.state(), events);
            });
        } catch (Refused e) {
            return Optional.of(reply[0]);
        }
        return holder.isPresent() ? Optional.empty() : Optional.of(reply[0]);
    }

    /** Rolls the transaction back: the profile's state refused the control. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super(null, null, false, false);
        }
    }
}
