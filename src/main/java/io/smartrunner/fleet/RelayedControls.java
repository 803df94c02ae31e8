package io.smartrunner.fleet;

import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.http.ControlQueued;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresFleetProfiles;
import io.smartrunner.time.TimeSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A manual control sent through the {@code controls} table to the runner holding the profile
 * ({@link ControlRelay} applies it there) and its answer, read back for {@link #APPLY_WAIT_MS}:
 * what a runner's API does for a profile held elsewhere, and the offline commands for a profile a
 * live runner holds (cluster mode).
 */
public final class RelayedControls {
    static final long APPLY_WAIT_MS = 3_000;

    private final PostgresControls controls;
    private final PostgresFleetProfiles profiles;
    private final TimeSource time;

    public RelayedControls(PostgresControls controls, PostgresFleetProfiles profiles, TimeSource time) {
        this.controls = controls;
        this.profiles = profiles;
        this.time = time;
    }

    /**
     * Records several controls (one per profile) in one transaction and notifies the fleet; each
     * one's seq by profile id. Each request's {@code by} names who asked through what ("cli@beta").
     */
    Map<String, Long> sendAll(List<ManualRequest> requests) {
        return controls.requestAll(requests.stream().map(r -> new PostgresControls.Asked(r.profileId(),
                ControlRelay.action(r), ControlRelay.args(r), r.by())).toList());
    }

    /** One relayed control's end: the holder's answer, or why there is none ({@link ControlQueued}: not yet applied). */
    public record Relayed(ManualRequest request, long seq, ManualReply reply, RuntimeException failure) {
    }

    /**
     * {@link #sendAll}, then each holder's answer (with the profile's row as it is then), waited for at
     * once (a pod held by a frozen runner waits one
     * {@link #APPLY_WAIT_MS}, not one per profile), each end in the order asked.
     */
    public List<Relayed> relayAll(List<ManualRequest> requests) {
        Map<String, Long> seqs = sendAll(requests);
        List<Relayed> out = new java.util.ArrayList<>();
        try (AppliedWaits waits = new AppliedWaits(controls, time)) {
            List<java.util.concurrent.CompletableFuture<ManualReply>> answers = requests.stream()
                    .map(r -> answer(seqs.get(r.profileId()), r.profileId(), waits)).toList();
            for (int i = 0; i < requests.size(); i++) {
                ManualRequest r = requests.get(i);
                long seq = seqs.get(r.profileId());
                try {
                    out.add(new Relayed(r, seq, answers.get(i).join(), null));
                } catch (java.util.concurrent.CompletionException e) {
                    out.add(new Relayed(r, seq, null, e.getCause() instanceof RuntimeException cause ? cause : e));
                }
            }
        }
        return out;
    }

    /**
     * The holder's answer to control {@code seq}, with the profile's row as it is then; {@code waits}
     * checks for every waiting control at once. Completes exceptionally with {@link ControlQueued}
     * when no runner applied it within {@link #APPLY_WAIT_MS} (the next holder will).
     */
    java.util.concurrent.CompletableFuture<ManualReply> answer(long seq, String profileId, AppliedWaits waits) {
        return waits.await(seq, APPLY_WAIT_MS).thenApply(applied -> {
            if (applied == null) {
                throw queued(seq, profileId);
            }
            return replyOf(applied, profileId);
        });
    }

    private static ControlQueued queued(long seq, String profileId) {
        return new ControlQueued("no runner applied it within " + APPLY_WAIT_MS / 1000 + " s; whichever runner holds "
                + profileId + " next applies it (control " + seq + ")");
    }

    private ManualReply replyOf(PostgresControls.Applied applied, String profileId) {
        PostgresFleetProfiles.FleetProfile now = profiles.one(profileId);
        ProfileState state = now == null ? null : now.state();
        String result = applied.result();
        if (result.equals("done")) {
            return new ManualReply(ManualReply.Outcome.DONE, state, null);
        }
        int colon = result.indexOf(": ");
        String word = colon < 0 ? result : result.substring(0, colon);
        String why = (colon < 0 ? result : result.substring(colon + 2)) + " (on runner " + applied.appliedBy() + ")";
        ManualReply.Outcome outcome;
        try {
            outcome = ManualReply.Outcome.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            outcome = ManualReply.Outcome.FAILED;
        }
        return new ManualReply(outcome, state, why);
    }
}
