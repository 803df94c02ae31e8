package io.smartrunner.engine;

import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import java.time.Duration;
import java.time.Instant;

/**
 * What an operator asks of one profile (API, CLI). Each is recorded with the same events as its
 * automatic counterpart, {@code by} saying who asked.
 */
public sealed interface ManualRequest {
    String profileId();

    String by();

    /** The same request, asked by {@code by} (a relay or a command in cluster mode says through which runner). */
    ManualRequest askedBy(String by);

    /**
     * A request that is only a change of the profile's state: the runner and, with no runner,
     * the CLI on the state store apply it by the same rules and refuse it for the same reasons.
     */
    sealed interface StateChange extends ManualRequest {
        /** Why the profile's state forbids it at {@code now}, or null. */
        String refusal(ProfileState s, Instant now);

        Transition apply(ProfileRules rules, ProfileState s, Instant now);
    }

    /** Pause now for {@code duration}; a running session is stopped (not counted against the profile). */
    record Pause(String profileId, Duration duration, String reason, String by) implements StateChange {
        /** The longest reason a pause takes, from the API and the CLI alike. */
        public static final int MAX_REASON_CHARS = 500;

        /**
         * A paused profile is paused again for longer, never shorter: a pod paused by hand for an
         * hour's maintenance left the profiles the runner had paused itself on their own, earlier
         * ends, back at the site mid-maintenance (reviewer R14: 21 of 1 000). One that stays paused
         * longer anyway is refused (unpause it first to shorten its pause).
         */
        @Override
        public String refusal(ProfileState s, Instant now) {
            return s.paused() && (s.pausedUntil() == null || !s.pausedUntil().isBefore(now.plus(duration)))
                    ? s.profileId() + " is already paused until " + s.pausedUntil() + ", no sooner than asked; unpause it"
                            + " first to shorten its pause" : null;
        }

        @Override
        public Transition apply(ProfileRules rules, ProfileState s, Instant now) {
            return rules.pause(s, null, now, duration, reason, by);
        }

        @Override
        public Pause askedBy(String by) {
            return new Pause(profileId, duration, reason, by);
        }
    }

    record Unpause(String profileId, String by) implements StateChange {
        @Override
        public String refusal(ProfileState s, Instant now) {
            return s.paused() ? null : s.profileId() + " is not paused";
        }

        @Override
        public Transition apply(ProfileRules rules, ProfileState s, Instant now) {
            return rules.unpause(s, now, by);
        }

        @Override
        public Unpause askedBy(String by) {
            return new Unpause(profileId, by);
        }
    }

    /** Sets the error streak back to 0 (a pause, if any, stays). */
    record ResetStreak(String profileId, String by) implements StateChange {
        @Override
        public String refusal(ProfileState s, Instant now) {
            return null;
        }

        @Override
        public Transition apply(ProfileRules rules, ProfileState s, Instant now) {
            return rules.resetStreak(s, now, by);
        }

        @Override
        public ResetStreak askedBy(String by) {
            return new ResetStreak(profileId, by);
        }
    }

    /** Starts a session as soon as a slot is free, skipping the cooldown and going first in line (needs a runner). */
    record RunNow(String profileId, String by) implements ManualRequest {
        @Override
        public RunNow askedBy(String by) {
            return new RunNow(profileId, by);
        }
    }
}
